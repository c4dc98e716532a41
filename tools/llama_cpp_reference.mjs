// llama.cpp's own view of a GGUF file, through node-llama-cpp 3.21.1 (its prebuilt llama.cpp):
// the token ids it makes of each text and, when asked, the most probable next tokens after
// every position with their probabilities, as JSON on stdout.
//
// Usage: node tools/llama_cpp_reference.mjs MODEL.gguf '["text one", "text two"]' [probabilities|next|embedding]
// ("next" also records, at every position but the last, the probability of the text's own next
// token, for its negative log-likelihood; "embedding", for an encoder such as BERT, the ids
// between its first and separator tokens and llama.cpp's embedding of them: with no pooling
// stored in the file, the last token's final hidden state)
// with NODE_PATH (or the working folder) giving node_modules/node-llama-cpp.
import {getLlama} from "node-llama-cpp";

const [modelPath, textsJson, wantProbabilities] = process.argv.slice(2);
const texts = JSON.parse(textsJson);
const llama = await getLlama({gpu: false, logLevel: "error", build: "never"});
// No flash attention in any context (an embedding context takes the model's default, which
// would otherwise let llama.cpp choose it and round keys and values to half precision).
const model = await llama.loadModel({modelPath, defaultContextFlashAttention: false});
const out = {cases: []};
if (wantProbabilities === "embedding") {
    const context = await model.createEmbeddingContext({contextSize: 256});
    out.pooling = model.fileInfo.metadata?.[model.fileInfo.metadata.general.architecture]?.pooling_type ?? null;
    for (const text of texts) {
        // The embedding context puts the first and separator tokens around the text; given them
        // already, it evaluates exactly these ids.
        const ids = [model.tokens.bos, ...model.tokenize(text, false), model.tokens.sep];
        const embedding = await context.getEmbeddingFor(ids);
        out.cases.push({text, ids: ids.map(Number), embedding: Array.from(embedding.vector)});
    }
    await context.dispose();
} else {
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
}
process.stdout.write(JSON.stringify(out) + "\n");
await model.dispose();
await llama.dispose();
