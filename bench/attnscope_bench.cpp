// attnscope-bench: times the engine's forward pass (every attention map kept) on a model of
// a given shape with random weights. The last line is machine-readable: median_s=... .
// Compare against tools/bench_vs_torch.py, which runs the same shapes through PyTorch.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <Eigen/Core>

#include "Error.h"
#include "SyntheticCheckpoint.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

namespace {

struct Options {
    bench::ModelShape shape;
    int seq = 128;
    int repeats = 5;
    int threads = 0;  // 0 = all cores
};

[[noreturn]] void usage(const std::string& message) {
    std::cerr << "error: " << message
              << " (usage: attnscope-bench --family bert|gpt2|llama|vit --layers L --hidden D --heads H --seq N"
                 " [--kv-heads K] [--repeats R] [--threads T])\n";
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
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) usage(a + " needs a value");
        const char* v = argv[++i];
        if (a == "--family") o.shape.family = v;
        else if (a == "--layers") o.shape.layers = positiveInt(v, "--layers");
        else if (a == "--hidden") o.shape.hidden = positiveInt(v, "--hidden");
        else if (a == "--heads") o.shape.heads = positiveInt(v, "--heads");
        else if (a == "--kv-heads") o.shape.kvHeads = positiveInt(v, "--kv-heads");
        else if (a == "--seq") o.seq = positiveInt(v, "--seq");
        else if (a == "--repeats") o.repeats = positiveInt(v, "--repeats");
        else if (a == "--threads") o.threads = positiveInt(v, "--threads");
        else usage("unknown option " + a);
    }
    const auto& f = o.shape.family;
    if (f != "bert" && f != "gpt2" && f != "llama" && f != "vit") usage("--family must be bert, gpt2, llama or vit");
    if (o.shape.hidden % o.shape.heads) usage("--hidden must be divisible by --heads");
    o.shape.positions = std::max(o.seq, 512);
    return o;
}

// Multiply-adds counted twice: projections, MLP and the two attention products.
double forwardFlops(const Options& o, int n) {
    const double h = o.shape.hidden, L = o.shape.layers;
    const double kv = o.shape.kvHeads ? o.shape.kvHeads : o.shape.heads;
    const double d = h / o.shape.heads;
    double proj = 2.0 * n * h * (2 * h + 2 * kv * d);
    double mlp = 2.0 * n * h * 4 * h * 2;
    if (o.shape.family == "llama") mlp = 2.0 * n * h * ((8 * h / 3 + 255) / 256 * 256) * 3;
    const double attention = 2.0 * 2.0 * n * double(n) * h;
    return L * (proj + mlp + attention);
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    const int threads = o.threads ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
    Eigen::setNbThreads(threads);
    const auto dir = std::filesystem::temp_directory_path() /
                     ("attnscope-bench-" + o.shape.family + "-" + std::to_string(o.shape.layers) + "x" +
                      std::to_string(o.shape.hidden) + "x" + std::to_string(o.shape.heads) + "-" +
                      std::to_string(o.shape.kvHeads) + "-" + std::to_string(o.shape.positions));
    try {
        if (!std::filesystem::exists(dir / "model.safetensors")) bench::writeSyntheticCheckpoint(o.shape, dir);
        const auto cp = attnscope::Checkpoint::open(dir);
        attnscope::ForwardInput in;
        int n = o.seq;
        if (cp->config().isVision()) {
            const int size = cp->config().imageSize;
            in.pixels = {3, size, size, std::vector<float>(3 * size * size, 0.1f)};
            n = cp->config().patchCount() + 1;
        } else {
            std::mt19937 rng(7);
            for (int i = 0; i < n; ++i) in.ids.push_back(static_cast<int>(rng() % cp->config().vocabSize));
        }
        std::printf("family=%s layers=%d hidden=%d heads=%d seq=%d threads=%d eigen_threads=%d\n", o.shape.family.c_str(),
                    o.shape.layers, o.shape.hidden, o.shape.heads, n, threads, Eigen::nbThreads());
        cp->forward(in);  // warm-up: page in the weights
        std::vector<double> times;
        for (int r = 0; r < o.repeats; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto result = cp->forward(in);
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            times.push_back(s);
            std::printf("run %d: %.4f s\n", r, s);
        }
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        std::printf("gflops_per_s=%.1f\n", forwardFlops(o, n) / median / 1e9);
        std::printf("median_s=%.6f\n", median);
    } catch (const attnscope::Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 3;
    }
    return 0;
}
