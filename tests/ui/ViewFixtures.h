#pragma once
// Analyses for the view tests: a tiny hand-made one whose numbers are known, and real ones
// computed by the engine on a golden checkpoint (synchronously: tests may wait).
#include <QString>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Analysis.h"
#include "AnalysisJob.h"
#include "GoldenFixtures.h"
#include "TokenLabel.h"
#include "model/Checkpoint.h"

namespace viewfixtures {

using attnscope::ui::Analysis;

// `maps` holds layers * heads row-major n x n maps, index layer * heads + head.
inline std::shared_ptr<const Analysis> handMade(const std::vector<std::string>& tokens, int layers, int heads,
                                                const std::vector<std::vector<float>>& maps,
                                                const std::vector<bool>& special = {}) {
    auto analysis = std::make_shared<Analysis>();
    const int n = static_cast<int>(tokens.size());
    analysis->text = QStringLiteral("hand made");
    attnscope::TokenSequence sequence;
    sequence.names = tokens;
    for (int i = 0; i < n; ++i) sequence.ids.push_back(i);
    sequence.special = special.empty() ? std::vector<bool>(static_cast<std::size_t>(n), false) : special;
    analysis->record.sequences = {sequence};
    analysis->record.stacks = {{attnscope::kSelfStack, 0, 0, {}}};
    attnscope::AttentionStack& stack = analysis->record.stacks.front().attention;
    stack.resize(layers, heads, n, n);
    for (int m = 0; m < layers * heads; ++m)
        std::copy(maps[static_cast<std::size_t>(m)].begin(), maps[static_cast<std::size_t>(m)].end(),
                  stack.data() + static_cast<std::ptrdiff_t>(m) * n * n);
    analysis->input.ids = sequence.ids;
    analysis->labels = attnscope::ui::sequenceLabels(analysis->record);
    return analysis;
}

inline QString goldenModel(const std::string& family) {
    return QString::fromStdString((fixtures::goldenDir() / family / "model").string());
}

// Runs the checkpoint in `folder` on `text` (and `pair`) as AttentionSession would.
inline std::shared_ptr<const Analysis> computed(const QString& folder, const QString& text, const QString& pair = {}) {
    const auto checkpoint = attnscope::Checkpoint::open(std::filesystem::path(folder.toStdString()));
    attnscope::ui::AnalysisRequest request;
    request.text = text;
    request.pair = pair;
    return attnscope::ui::computeAnalysis(*checkpoint, request);
}

}  // namespace viewfixtures
