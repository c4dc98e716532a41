// llama.cpp's own view of a GGUF file, through node-llama-cpp 3.21.1 (its prebuilt llama.cpp):
// the token ids it makes of each text and, when asked, the most probable next tokens after
// every position with their probabilities, as JSON on stdout.
//
// Usage: node tools/llama_cpp_reference.mjs MODEL.gguf '["text one", "text two"]' [probabilities|next]
// ("next" also records, at every position but the last, the probability of the text's own next
// token, for its negative log-likelihood)
// with NODE_PATH (or the working folder) giving node_modules/node-llama-cpp.
import {getLlama} from "node-llama-cpp";

const [modelPath, textsJson, wantProbabilities] = process.argv.slice(2);
const texts = JSON.parse(textsJson);
const llama = await getLlama({gpu: false, logLevel: "error", build: "never"});
const model = await llama.loadModel({modelPath});
const out = {cases: []};
for (const text of texts) {
    const ids = Array.from(model.tokenize(text, true)).map(Number);
    const withBos = model.tokens.bos != null && model.fileInfo.metadata?.tokenizer?.ggml?.add_bos_token !== false
        ? [Number(model.tokens.bos), ...ids] : ids;
    const entry = {text, ids: withBos};
    if (wantProbabilities) {
        // A float32 cache: llama.cpp keeps keys and values as F16 by default, which alone moves
        // probabilities by about 5e-4 on these models.
        const context = await model.createContext({contextSize: Math.max(64, withBos.length + 8), batchSize: Math.max(64, withBos.length + 8),
            experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32", flashAttention: false});
        const sequence = context.getSequence();
        const results = await sequence.controlledEvaluate(withBos.map(t => [t, {generateNext: {probabilities: true}}]));
        // The eight most probable next tokens at each position, with their probabilities.
        entry.top = results.map(r => [...r.next.probabilities.entries()]
            .map(([token, p]) => [Number(token), p])
            .sort((a, b) => b[1] - a[1])
            .slice(0, 8));
        if (wantProbabilities === "next")
            entry.next = results.slice(0, -1).map((r, i) => r.next.probabilities.get(withBos[i + 1]) ?? 0);
        await context.dispose();
    }
    out.cases.push(entry);
}
process.stdout.write(JSON.stringify(out) + "\n");
await model.dispose();
await llama.dispose();
