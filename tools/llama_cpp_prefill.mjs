// llama.cpp's prefill time for a GGUF file through node-llama-cpp 3.21.1: N random token ids
// evaluated in one batch with llama.cpp's default settings, after the model is loaded (memory
// mapped, as AttnScope maps it). Prints prefill_s=SECONDS.
//
// Usage: node tools/llama_cpp_prefill.mjs MODEL.gguf N THREADS (from a folder with node_modules)
import {getLlama} from "node-llama-cpp";

const [modelPath, count, threads] = process.argv.slice(2);
const n = Number(count);
const llama = await getLlama({gpu: false, logLevel: "error", build: "never"});
const model = await llama.loadModel({modelPath});
const context = await model.createContext({contextSize: n + 16, batchSize: n, threads: Number(threads)});
const sequence = context.getSequence();
let seed = 7;
const ids = Array.from({length: n}, () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 32000);  // ids every llama-3 vocabulary has
const start = performance.now();
await sequence.evaluateWithoutGeneratingNewTokens(ids);
const seconds = (performance.now() - start) / 1000;
process.stdout.write(`prefill_s=${seconds.toFixed(4)}\n`);
await context.dispose();
await model.dispose();
await llama.dispose();
