#pragma once
// Text classifiers made from the golden base models, as transformers' *ForSequenceClassification
// checkpoints store them: the base weights under the family's real prefix, a head with random
// weights (fixed seed) and config.json's architectures and id2label. There is no torch here to
// train one; the tests check the head against their own computation from these weights.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "GoldenFixtures.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "model/ModelConfig.h"

namespace fixtures {

struct HeadTensor {
    std::vector<std::int64_t> shape;
    std::vector<float> values;
};

// How one family's classifier is laid out.
struct ClassifierLayout {
    std::string family;        // golden folder: bert, roberta, distilbert, gpt2, llama, gpt_neo, gpt_neox
    std::string architecture;  // config.json "architectures"
    std::string basePrefix;    // where the classifier keeps the base model's tensors
    std::vector<std::string> dropped;  // golden tensors the classifier does not have (LM heads, RoBERTa's pooler)
    std::string dense;         // the dense layer before the labels, at the top level ("" = none or BERT's pooler)
    std::string classifier;    // the label projection
    bool classifierBias = true;
};

inline const std::vector<ClassifierLayout>& classifierLayouts() {
    static const std::vector<ClassifierLayout> layouts = {
        {"bert", "BertForSequenceClassification", "bert.", {}, "", "classifier", true},
        {"roberta", "RobertaForSequenceClassification", "roberta.", {"pooler."}, "classifier.dense", "classifier.out_proj", true},
        {"distilbert", "DistilBertForSequenceClassification", "distilbert.", {}, "pre_classifier", "classifier", true},
        {"gpt2", "GPT2ForSequenceClassification", "transformer.", {}, "", "score", false},
        {"llama", "LlamaForSequenceClassification", "model.", {"lm_head."}, "", "score", false},
        {"gpt_neo", "GPTNeoForSequenceClassification", "transformer.", {}, "", "score", false},
        {"gpt_neox", "GPTNeoXForSequenceClassification", "gpt_neox.", {"embed_out."}, "", "score", false},
    };
    return layouts;
}

inline const ClassifierLayout& classifierLayout(const std::string& family) {
    for (const auto& l : classifierLayouts())
        if (l.family == family) return l;
    throw std::runtime_error("no classifier layout for " + family);
}

inline const std::vector<std::string>& threeLabels() {
    static const std::vector<std::string> labels = {"negative", "neutral", "positive"};
    return labels;
}

// What writeSequenceClassifier may change from the plain layout, to make broken or look-alike checkpoints.
struct ClassifierOptions {
    int labels = 3;                       // rows of the label projection
    std::vector<std::string> id2label = threeLabels();  // empty: config.json has none
    nlohmann::json configEdits = nlohmann::json::object();  // merged into config.json last
    bool withDense = true;                // false: leave out the dense layer (BERT: its pooler)
    bool extraClassifierBias = false;     // true: give a bias-free projection a bias anyway
    unsigned seed = 20240611;
};

inline std::vector<float> randomValues(std::size_t count, std::mt19937& rng) {
    std::uniform_real_distribution<float> dist(-0.4f, 0.4f);
    std::vector<float> v(count);
    for (float& x : v) x = dist(rng);
    return v;
}

inline bool startsWithAny(const std::string& name, const std::vector<std::string>& prefixes) {
    for (const auto& p : prefixes)
        if (name.rfind(p, 0) == 0) return true;
    return false;
}

// Writes the classifier folder `to` (replacing it) and returns its head tensors by name, the
// base prefix included for BERT's pooler.
inline std::map<std::string, HeadTensor> writeSequenceClassifier(const std::filesystem::path& to, const ClassifierLayout& layout,
                                                                  const ClassifierOptions& options = {}) {
    namespace fs = std::filesystem;
    fs::remove_all(to);
    copyFolder(goldenDir() / layout.family / "model", to);
    for (const auto& e : fs::directory_iterator(to)) fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);

    attnscope::SafetensorsFile base(goldenDir() / layout.family / "model" / "model.safetensors");
    std::map<std::string, HeadTensor> head;
    std::map<std::string, HeadTensor> all;
    for (const auto& t : base.tensors()) {
        if (startsWithAny(t.name, layout.dropped)) continue;
        const std::string name = t.name.rfind(layout.basePrefix, 0) == 0 ? t.name : layout.basePrefix + t.name;
        all[name] = {t.shape, base.toFloat(t)};
    }
    const std::string pooler = layout.basePrefix + "pooler.dense";
    if (layout.family == "bert") {
        if (options.withDense) {
            head[pooler + ".weight"] = all.at(pooler + ".weight");
            head[pooler + ".bias"] = all.at(pooler + ".bias");
        } else {
            all.erase(pooler + ".weight");
            all.erase(pooler + ".bias");
        }
    }

    const std::int64_t hidden = attnscope::ModelConfig::fromFile(goldenDir() / layout.family / "model" / "config.json").hidden;
    std::mt19937 rng(options.seed);
    auto addLinear = [&](const std::string& path, std::int64_t out, bool bias) {
        head[path + ".weight"] = {{out, hidden}, randomValues(static_cast<std::size_t>(out * hidden), rng)};
        if (bias) head[path + ".bias"] = {{out}, randomValues(static_cast<std::size_t>(out), rng)};
    };
    if (!layout.dense.empty() && options.withDense) addLinear(layout.dense, hidden, true);
    addLinear(layout.classifier, options.labels, layout.classifierBias || options.extraClassifierBias);
    for (const auto& [name, t] : head) all[name] = t;

    attnscope::SafetensorsWriter writer;
    for (const auto& [name, t] : all) writer.add(name, t.shape, t.values.data());
    writer.setMetadata("format", "pt");
    fs::remove(to / "model.safetensors");
    writer.write(to / "model.safetensors");

    nlohmann::json config = readJson(to / "config.json");
    config["architectures"] = {layout.architecture};
    if (!options.id2label.empty()) {
        nlohmann::json id2label = nlohmann::json::object(), label2id = nlohmann::json::object();
        for (std::size_t i = 0; i < options.id2label.size(); ++i) {
            id2label[std::to_string(i)] = options.id2label[i];
            label2id[options.id2label[i]] = i;
        }
        config["id2label"] = id2label;
        config["label2id"] = label2id;
    }
    config.merge_patch(options.configEdits);
    fs::remove(to / "config.json");
    std::ofstream(to / "config.json") << config.dump(2);
    return head;
}

}  // namespace fixtures
