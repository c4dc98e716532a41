// Prints what Hugging Face tokenizers (the npm build of the Rust library) makes of each text of
// a JSON list with a tokenizer.json: ids, tokens and offsets (UTF-16 code units from the JS
// binding are turned into code points, as the Python binding reports them).
// Usage: NODE_PATH=... node tools/tokenizers_reference.js TOKENIZER_JSON CASES_JSON
const fs = require('fs');
const { Tokenizer } = require('tokenizers');

async function main() {
  const tokenizer = Tokenizer.fromFile(process.argv[2]);
  const cases = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  const rows = [];
  for (const text of cases) {
    const enc = await tokenizer.encode(text);
    rows.push({ text, ids: enc.getIds(), tokens: enc.getTokens(), offsets: enc.getOffsets(),
                decoded: await tokenizer.decode(enc.getIds(), true) });
  }
  process.stdout.write(JSON.stringify(rows));
}
main().catch((e) => { console.error(e); process.exit(1); });
