#include "AnalysisBench.h"

#include <QString>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "Analysis.h"
#include "AnalysisJob.h"
#include "analysis/LogitAttribution.h"
#include "analysis/Predictions.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

namespace bench {
namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// The median wall time of `repeats` runs of `f`, after one run to warm caches and page in weights.
double timed(int repeats, const std::function<void()>& f) {
    f();
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return median(times);
}

}  // namespace

int runAnalysisBench(const AnalysisShape& s) {
    using namespace attnscope;
    const auto cp = Checkpoint::open(s.model);
    cp->model().requireAttribution();
    ui::AnalysisRequest plain;
    plain.text = QString::fromStdString(s.text);
    ui::AnalysisRequest ablated = plain;
    ablated.ablation = parseHeadAblation(std::to_string(cp->config().layers - 1) + ".0");
    const auto analysis = ui::computeAnalysis(*cp, plain);
    const int position = static_cast<int>(analysis->tokenLabels().size()) - 1;
    const RowMatrix& logits = analysis->record.logits;
    const int top = topPredictions(logits.row(position).data(), static_cast<int>(logits.cols()), 1).front().id;
    std::printf("analysis model=%s type=%s layers=%d heads=%d tokens=%d\n", s.model.c_str(), cp->config().modelType.c_str(),
                cp->config().layers, cp->config().heads, position + 1);

    const double forward = timed(s.repeats, [&] { ui::computeAnalysis(*cp, plain); });
    const double ablation = timed(s.repeats, [&] { ui::computeAnalysis(*cp, ablated); });
    const double attribution = timed(s.repeats, [&] { attributeLogit(cp->model(), analysis->input, {position, top, std::nullopt}); });
    int passes = 0;
    const double flip = timed(std::max(1, s.repeats / 3), [&] { passes = findFlippingHeads(cp->model(), analysis->input, position)->forwardPasses; });
    std::printf("analysis_s=%.4f\n", forward);
    std::printf("ablation_recompute_s=%.4f ratio=%.2f\n", ablation, ablation / forward);
    std::printf("attribution_s=%.4f ratio=%.2f\n", attribution, attribution / forward);
    std::printf("flip_search_s=%.4f ratio=%.2f passes=%d\n", flip, flip / forward, passes);
    std::printf("median_s=%.6f\n", ablation);
    return 0;
}

}  // namespace bench
