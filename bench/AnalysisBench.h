#pragma once
#include <string>

namespace bench {

struct AnalysisShape {
    std::string model;  // a model folder or builtin:NAME
    std::string text;
    int repeats = 7;
};

// `attnscope-bench --analysis --model M --text T`: times what the app's session runs on a real
// checkpoint, each as a ratio to one plain analysis (ui::computeAnalysis, the forward pass the
// views show): an ablation's recompute (the analysis with a head switched off: a pass with every
// head on for "before", then the ablated one), the attribution grid at the last token
// (analysis/LogitAttribution.h) and the flip search there. Prints one line per measure and
// median_s of the ablation's recompute.
int runAnalysisBench(const AnalysisShape& shape);

}  // namespace bench
