// attnscope-bench: times the engine's forward pass (every attention map kept) on a model of
// a given shape with random weights, or on a given checkpoint (--model: a folder or a GGUF
// file) with random token ids. The last line is machine-readable: median_s=... .
// Compare against tools/bench_vs_torch.py, which runs the same shapes through PyTorch.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <Eigen/Core>
#include <sys/resource.h>

#include "CpuSupport.h"
#include "Error.h"
#include "SyntheticCheckpoint.h"
#ifdef ATTNSCOPE_BENCH_RENDER
#include "AnalysisBench.h"
#include "RenderBench.h"
#endif
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

namespace {

struct Options {
    bench::ModelShape shape;
    int seq = 128;
    int repeats = 5;
    int threads = 0;  // 0 = all cores
    bool warmup = true;
    bool render = false;
    bool analysis = false;      // --analysis: the session's analyses on a real checkpoint
    std::string model, text;    // its --model and --text
    std::optional<attnscope::AttentionPrecision> precision;  // unset: the engine's choice by memory budget
};

[[noreturn]] void usage(const std::string& message) {
    std::cerr << "error: " << message
              << " (usage: attnscope-bench --family bert|gpt2|llama|llama3|gemma2|vit --layers L --hidden D --heads H --seq N"
                 " [--kv-heads K] [--head-dim D] [--intermediate I] [--vocab V] [--repeats R] [--threads T] [--dtype f32|bf16] [--attention auto|float32|float16|log8]"
                 " [--warmup 0|1]; or attnscope-bench --model PATH --seq N [--repeats R] [--threads T] [--warmup 0|1];"
                 " or attnscope-bench --render --seq N --layers L --heads H;"
                 " or attnscope-bench --analysis --model M --text T [--repeats R])\n";
    std::exit(2);
}

int positiveInt(const char* text, const char* option) {
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (!end || *end || v <= 0 || v > 1 << 20) usage(std::string(option) + " needs a positive integer");
    return static_cast<int>(v);
}

Options parse(int argc, char** argv) {
    Options o;
    int vocab = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--render") {
            o.render = true;
            continue;
        }
        if (a == "--analysis") {
            o.analysis = true;
            continue;
        }
        if (i + 1 >= argc) usage(a + " needs a value");
        const char* v = argv[++i];
        if (a == "--family") o.shape.family = v;
        else if (a == "--model") o.model = v;
        else if (a == "--text") o.text = v;
        else if (a == "--layers") o.shape.layers = positiveInt(v, "--layers");
        else if (a == "--hidden") o.shape.hidden = positiveInt(v, "--hidden");
        else if (a == "--heads") o.shape.heads = positiveInt(v, "--heads");
        else if (a == "--kv-heads") o.shape.kvHeads = positiveInt(v, "--kv-heads");
        else if (a == "--head-dim") o.shape.headDim = positiveInt(v, "--head-dim");
        else if (a == "--intermediate") o.shape.intermediate = positiveInt(v, "--intermediate");
        else if (a == "--vocab") vocab = positiveInt(v, "--vocab");
        else if (a == "--seq") o.seq = positiveInt(v, "--seq");
        else if (a == "--repeats") o.repeats = positiveInt(v, "--repeats");
        else if (a == "--threads") o.threads = positiveInt(v, "--threads");
        else if (a == "--warmup") o.warmup = std::string(v) != "0";
        else if (a == "--dtype") {
            if (std::string(v) != "f32" && std::string(v) != "bf16") usage("--dtype must be f32 or bf16");
            o.shape.bf16 = std::string(v) == "bf16";
        } else if (a == "--attention") {
            const std::string p = v;
            if (p == "float32") o.precision = attnscope::AttentionPrecision::Float32;
            else if (p == "float16") o.precision = attnscope::AttentionPrecision::Float16;
            else if (p == "log8") o.precision = attnscope::AttentionPrecision::Log8;
            else if (p != "auto") usage("--attention must be auto, float32, float16 or log8");
        }
        else usage("unknown option " + a);
    }
    if (o.analysis) {
        if (o.model.empty() || o.text.empty()) usage("--analysis needs --model and --text");
        return o;
    }
    if (!o.model.empty()) return o;  // the checkpoint's own shape
    const auto& f = o.shape.family;
    if (f != "bert" && f != "gpt2" && f != "llama" && f != "llama3" && f != "gemma2" && f != "vit")
        usage("--family must be bert, gpt2, llama, llama3, gemma2 or vit");
    if (!o.render && !o.shape.headDim && o.shape.hidden % o.shape.heads) usage("--hidden must be divisible by --heads (or give --head-dim)");
    // The vocabularies of the real models of each shape: Llama 3's and Gemma's are large, and their logits cost.
    o.shape.vocab = vocab ? vocab : f == "llama3" ? 128256 : f == "gemma2" ? 256000 : 30522;
    // A ViT gets the largest square grid of 16 px patches whose tokens (+ [CLS]) fit in --seq.
    o.shape.positions = f == "vit" ? o.seq : std::max(o.seq, 512);
    return o;
}

// Multiply-adds counted twice: projections, MLP, the two attention products (the lower triangle
// of them for the causal models) and, for the causal language models, the logits.
double forwardFlops(const attnscope::ModelConfig& c, int n) {
    const double h = c.hidden, L = c.layers, heads = c.heads, kv = c.kvHeads;
    const double d = c.headDim ? c.headDim : c.hidden / c.heads;
    const double proj = 2.0 * n * h * (2 * heads * d + 2 * kv * d);
    const double mlp = 2.0 * n * h * c.intermediate * (c.gatedMlp ? 3 : 2);
    // A causal model needs only the lower triangle of its two n x n products (and computes only that).
    const double pairs = c.causal ? n * (n + 1.0) / 2.0 : n * double(n);
    const double attention = 2.0 * 2.0 * pairs * heads * d;
    return L * (proj + mlp + attention) + (c.causal ? 2.0 * n * h * c.vocabSize : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    if (o.render) {
#ifdef ATTNSCOPE_BENCH_RENDER
        bench::RenderShape shape;
        shape.seq = o.seq;
        shape.layers = o.shape.layers;
        shape.heads = o.shape.heads;
        return bench::runRenderBench(shape);
#else
        usage("--render needs the GUI libraries (configure with -DATTNSCOPE_BUILD_GUI=ON)");
#endif
    }
    const int threads = o.threads ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
    attnscope::setEngineThreads(threads);
    if (o.analysis) {
#ifdef ATTNSCOPE_BENCH_RENDER
        try {
            return bench::runAnalysisBench({o.model, o.text, o.repeats});
        } catch (const attnscope::Error& e) {
            std::cerr << "error: " << e.what() << "\n";
            return 3;
        }
#else
        usage("--analysis times the app's session: configure with -DATTNSCOPE_BUILD_GUI=ON");
#endif
    }
    const auto dir = std::filesystem::temp_directory_path() /
                     ("attnscope-bench-" + o.shape.family + "-" + std::to_string(o.shape.layers) + "x" +
                      std::to_string(o.shape.hidden) + "x" + std::to_string(o.shape.heads) + "-" +
                      std::to_string(o.shape.kvHeads) + "-" + std::to_string(bench::headDimOf(o.shape)) + "-" +
                      std::to_string(bench::intermediateOf(o.shape)) + "-" + std::to_string(o.shape.vocab) + "-" +
                      std::to_string(o.shape.positions) +
                      (o.shape.bf16 ? "-bf16" : ""));
    try {
        if (o.model.empty() && !std::filesystem::exists(dir / "model.safetensors")) bench::writeSyntheticCheckpoint(o.shape, dir);
        const auto cp = attnscope::Checkpoint::open(o.model.empty() ? dir : std::filesystem::path(o.model));
        const attnscope::ModelConfig& config = cp->config();
        attnscope::ForwardInput in;
        in.attentionPrecision = o.precision;
        int n = o.seq;
        if (cp->capabilities().readsImages()) {
            const int size = cp->config().imageSize;
            in.pixels = {3, size, size, std::vector<float>(3 * size * size, 0.1f)};
            n = cp->capabilities().patches.count() + cp->capabilities().leadingSpecialTokens;
        } else {
            std::mt19937 rng(7);
            for (int i = 0; i < n; ++i) in.ids.push_back(static_cast<int>(rng() % cp->config().vocabSize));
        }
        std::printf("family=%s layers=%d hidden=%d heads=%d seq=%d threads=%d eigen_threads=%d weight_mb=%.0f\n", config.modelType.c_str(),
                    config.layers, config.hidden, config.heads, n, threads, Eigen::nbThreads(),
                    double(cp->model().weights().weightBytes()) / (1 << 20));
        if (o.warmup) cp->forward(in);  // page in the weights
        std::vector<double> times;
        std::string precision;
        for (int r = 0; r < o.repeats; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto result = cp->forward(in);
            precision = attnscope::precisionName(result->record.attention().precision());
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            times.push_back(s);
            std::printf("run %d: %.4f s\n", r, s);
        }
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        std::printf("attention=%s\n", precision.c_str());
        std::printf("peak_rss_mb=%.0f\n", usage.ru_maxrss / 1024.0);
        std::printf("gflops_per_s=%.1f\n", forwardFlops(config, n) / median / 1e9);
        std::printf("median_s=%.6f\n", median);
    } catch (const attnscope::Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 3;
    }
    return 0;
}
