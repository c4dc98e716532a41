#include "SessionFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "AttentionSelection.h"
#include "ViewOptions.h"
#include "Error.h"
#include "hub/HubId.h"
#include "model/HeadAblation.h"

namespace attnscope::ui {

namespace {

using nlohmann::json;

// Reads `key` of type T, naming the field in the error (nlohmann's own message does not).
template <typename T>
T field(const json& j, const char* key) {
    if (!j.contains(key)) throw std::runtime_error(std::string("missing field \"") + key + "\"");
    try {
        return j.at(key).get<T>();
    } catch (const json::exception&) {
        throw std::runtime_error(std::string("field \"") + key + "\" has the wrong type");
    }
}

// Enums travel as words (ViewOptions' one table of names), so a session stays readable and
// survives reordered enums.
template <typename Value>
Value named(const json& j, const char* key, std::optional<Value> (*lookup)(const QString&)) {
    const std::string name = field<std::string>(j, key);
    const std::optional<Value> v = lookup(QString::fromStdString(name));
    if (!v) throw std::runtime_error("unknown value \"" + name + "\" for " + key);
    return *v;
}

std::string str(const QString& s) { return s.toStdString(); }


}  // namespace

bool SessionState::operator==(const SessionState& o) const {
    const auto sameHard = hardSelection.rule == o.hardSelection.rule && hardSelection.k == o.hardSelection.k &&
                          hardSelection.threshold == o.hardSelection.threshold && hardSelection.mass == o.hardSelection.mass;
    return model == o.model && text == o.text && pair == o.pair && image == o.image && view == o.view && attention == o.attention &&
           layer == o.layer && head == o.head && headMode == o.headMode && rollout == o.rollout && hard == o.hard && sameHard &&
           hideSpecialTokens == o.hideSpecialTokens && words == o.words && leftOutKeys == o.leftOutKeys && queries == o.queries && enabledHeads == o.enabledHeads && colorMap == o.colorMap &&
           scale == o.scale && normalization == o.normalization && overlayOpacity == o.overlayOpacity && zoom == o.zoom &&
           firstRow == o.firstRow && firstColumn == o.firstColumn && classroom == o.classroom && maskedTokens == o.maskedTokens &&
           lens == o.lens && headsOff == o.headsOff && headsOffMode == o.headsOffMode;
}

void captureSelection(const AttentionSelection& s, SessionState& state) {
    state.attention = s.stackName();
    state.layer = s.layer();
    state.head = s.head();
    state.headMode = s.headMode();
    state.rollout = s.rollout();
    state.hard = s.hard();
    state.hardSelection = s.hardSelection();
    state.hideSpecialTokens = s.hideSpecialTokens();
    state.words = s.words();
    state.leftOutKeys = s.leftOutKeys();
    state.queries.clear();
    for (int stack = 0; stack < s.stackCount(); ++stack) state.queries.push_back(s.selectedQueryOf(stack));
    state.enabledHeads = s.enabledHeads();
    state.colorMap = s.style().colorMap;
    state.scale = s.style().scale;
    state.normalization = s.style().normalization;
    state.overlayOpacity = s.style().overlayOpacity;
}

void applySelection(const SessionState& state, AttentionSelection& s) {
    // The session's view settings go through the same setters, in the same order, as the
    // command line's; then what only a session holds: a query per stack and the enabled heads.
    ViewSettings settings;
    settings.stack = state.attention;
    settings.query.layer = state.layer;
    settings.query.head = state.head;
    settings.query.headMode = state.headMode;
    settings.query.layerMode = state.rollout ? LayerMode::Rollout : LayerMode::Single;
    settings.query.hard = state.hard;
    settings.query.hardSelection = state.hardSelection;
    settings.query.hideSpecialTokens = state.hideSpecialTokens;
    settings.query.words = state.words;
    settings.query.leftOutKeys = state.leftOutKeys;
    settings.style.colorMap = state.colorMap;
    settings.style.scale = state.scale;
    settings.style.normalization = state.normalization;
    settings.style.overlayOpacity = state.overlayOpacity;
    applyViewSettings(settings, s);
    for (std::size_t stack = 0; stack < state.queries.size(); ++stack)
        if (state.queries[stack] >= 0) s.setSelectedQueryOf(static_cast<int>(stack), state.queries[stack]);
    if (state.enabledHeads.size() == s.enabledHeads().size())
        for (std::size_t h = 0; h < state.enabledHeads.size(); ++h) s.setHeadEnabled(static_cast<int>(h), state.enabledHeads[h]);
}

std::string sessionToJson(const SessionState& st) {
    json j;
    j["format"] = "attnscope-session";
    j["version"] = kSessionFormatVersion;
    j["model"] = str(st.model);
    j["inputs"] = {{"text", str(st.text)},           {"pair", str(st.pair)},
                   {"image", str(st.image)},         {"masked", st.maskedTokens},
                   {"heads_off", str(st.headsOff)}, {"heads_off_mode", str(st.headsOffMode)}};
    json selection;
    selection["attention"] = str(st.attention);
    selection["layer"] = st.layer;
    selection["head"] = st.head;
    selection["head_mode"] = str(headModeName(st.headMode));
    selection["rollout"] = st.rollout;
    selection["hard"] = st.hard;
    selection["hard_rule"] = str(hardRuleName(st.hardSelection.rule));
    selection["top_k"] = st.hardSelection.k;
    selection["threshold"] = st.hardSelection.threshold;
    selection["mass"] = st.hardSelection.mass;
    selection["hide_special"] = st.hideSpecialTokens;
    selection["words"] = st.words;
    selection["left_out"] = st.leftOutKeys;
    selection["queries"] = st.queries;
    selection["enabled_heads"] = st.enabledHeads;
    json view;
    view["tab"] = str(viewName(st.view));
    view["lens"] = st.lens;
    view["selection"] = selection;
    view["color_map"] = str(st.colorMap);
    view["scale"] = str(scaleName(st.scale));
    view["normalization"] = str(normalizationName(st.normalization));
    view["opacity"] = st.overlayOpacity;
    view["zoom"] = {{"factor", st.zoom}, {"first_row", st.firstRow}, {"first_column", st.firstColumn}};
    view["classroom"] = st.classroom;
    j["view"] = view;
    return j.dump(2) + "\n";
}

SessionState sessionFromJson(const std::string& text) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw std::runtime_error(std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object() || field<std::string>(j, "format") != "attnscope-session")
        throw std::runtime_error("not an AttnScope session file");
    if (field<int>(j, "version") > kSessionFormatVersion)
        throw std::runtime_error("made by a newer AttnScope (session format version " + std::to_string(field<int>(j, "version")) + ")");
    SessionState st;
    st.model = QString::fromStdString(field<std::string>(j, "model"));
    if (st.model.isEmpty()) throw std::runtime_error("the session names no model");
    const json inputs = field<json>(j, "inputs");
    st.text = QString::fromStdString(field<std::string>(inputs, "text"));
    st.pair = QString::fromStdString(field<std::string>(inputs, "pair"));
    st.image = QString::fromStdString(field<std::string>(inputs, "image"));
    // Added later in version 1: files without them mask nothing and show no lens.
    if (inputs.contains("masked")) st.maskedTokens = field<std::vector<int>>(inputs, "masked");
    if (inputs.contains("heads_off")) st.headsOff = QString::fromStdString(field<std::string>(inputs, "heads_off"));
    if (inputs.contains("heads_off_mode")) st.headsOffMode = QString::fromStdString(field<std::string>(inputs, "heads_off_mode"));
    if (!ablationModeNamed(st.headsOffMode.toStdString())) throw std::runtime_error("heads_off_mode is not zero or mean");
    if (!st.headsOff.isEmpty()) {
        try {
            parseHeadAblation(st.headsOff.toStdString());
        } catch (const attnscope::Error& e) {
            throw std::runtime_error(e.what());
        }
    }
    const json view = field<json>(j, "view");
    st.view = named(view, "tab", viewNamed);
    if (view.contains("lens")) st.lens = field<bool>(view, "lens");
    const json s = field<json>(view, "selection");
    st.attention = QString::fromStdString(field<std::string>(s, "attention"));
    st.layer = field<int>(s, "layer");
    st.head = field<int>(s, "head");
    st.headMode = named(s, "head_mode", headModeNamed);
    st.rollout = field<bool>(s, "rollout");
    st.hard = field<bool>(s, "hard");
    st.hardSelection.rule = named(s, "hard_rule", hardRuleNamed);
    st.hardSelection.k = field<int>(s, "top_k");
    st.hardSelection.threshold = field<float>(s, "threshold");
    st.hardSelection.mass = field<float>(s, "mass");
    st.hideSpecialTokens = field<bool>(s, "hide_special");
    if (s.contains("words")) st.words = field<bool>(s, "words");  // added later in version 1
    if (s.contains("left_out")) st.leftOutKeys = field<std::vector<int>>(s, "left_out");
    for (const int t : st.leftOutKeys)
        if (t < 0) throw std::runtime_error("left_out names a negative token");
    st.queries = field<std::vector<int>>(s, "queries");
    st.enabledHeads = field<std::vector<bool>>(s, "enabled_heads");
    if (st.layer < 0 || st.head < 0 || st.hardSelection.k < 1) throw std::runtime_error("layer, head or top_k out of range");
    st.colorMap = QString::fromStdString(field<std::string>(view, "color_map"));
    st.scale = named(view, "scale", scaleNamed);
    st.normalization = named(view, "normalization", normalizationNamed);
    st.overlayOpacity = field<double>(view, "opacity");
    const json zoom = field<json>(view, "zoom");
    st.zoom = field<double>(zoom, "factor");
    st.firstRow = field<int>(zoom, "first_row");
    st.firstColumn = field<int>(zoom, "first_column");
    st.classroom = field<bool>(view, "classroom");
    return st;
}

void writeSessionFile(const QString& path, const SessionState& state) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) throw std::runtime_error(str(QStringLiteral("cannot write %1: %2").arg(path, file.errorString())));
    const std::string text = sessionToJson(state);
    if (file.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size()) || !file.commit())
        throw std::runtime_error(str(QStringLiteral("cannot write %1: %2").arg(path, file.errorString())));
}

SessionState readSessionFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw std::runtime_error(str(QStringLiteral("cannot read %1: %2").arg(path, file.errorString())));
    const QByteArray bytes = file.readAll();
    SessionState state = sessionFromJson(bytes.toStdString());
    // A session kept next to its model folder (or image) can move with it.
    const QDir base = QFileInfo(path).absoluteDir();
    if (!state.model.startsWith(QLatin1String("builtin:")) && QDir::isRelativePath(state.model)) {
        // A hub id ("org/name") stays an id, unless a folder of that name sits beside the session.
        const QString beside = QDir::cleanPath(base.absoluteFilePath(state.model));
        if (QFileInfo::exists(beside) || !hub::parseHubId(state.model.toStdString())) state.model = beside;
    }
    if (!state.image.isEmpty() && QDir::isRelativePath(state.image)) state.image = QDir::cleanPath(base.absoluteFilePath(state.image));
    return state;
}

}  // namespace attnscope::ui
