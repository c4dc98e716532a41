// What `attnscope-cli info`, the status line and the classroom caption say sets a model's
// attention apart (model/ModelDescription.h), from configs alone.
#include <QtTest>

#include "GoldenFixtures.h"
#include "model/ModelDescription.h"

using namespace attnscope;

namespace {

ModelConfig golden(const char* family) { return ModelConfig::fromFile(fixtures::goldenDir() / family / "model" / "config.json"); }

// A small Gemma 2 config: alternating local (window 6) and global layers, both soft-caps.
nlohmann::json gemma2Config() {
    return {{"model_type", "gemma2"},  {"num_hidden_layers", 4},        {"num_attention_heads", 4}, {"num_key_value_heads", 2},
            {"hidden_size", 32},       {"intermediate_size", 64},       {"head_dim", 16},           {"vocab_size", 100},
            {"max_position_embeddings", 128}, {"sliding_window", 6},    {"query_pre_attn_scalar", 64},
            {"attn_logit_softcapping", 50.0}, {"final_logit_softcapping", 30.0}};
}

}  // namespace

class ModelDescriptionTest : public QObject {
    Q_OBJECT
private slots:
    void plainModelsHaveNothingToNote();
    void gptNeoLayersAndUnscaledScores();
    void gemma2NotesWindowsScaleAndCaps();
    void gemma3NotesEachLayersRope();
    void smollm3NotesLayersWithoutRope();
    void describeAttentionListsLayersAndRopes();
};

void ModelDescriptionTest::plainModelsHaveNothingToNote() {
    for (const char* f : {"bert", "gpt2", "llama", "gpt_neox"}) {
        const ModelConfig c = golden(f);
        QVERIFY2(scoreNote(c).empty(), f);
        for (int l = 0; l < c.layers; ++l) QVERIFY2(layerNote(c, l).empty(), f);
    }
    QCOMPARE(layerNote(golden("gpt_neo"), -1), std::string());
    QCOMPARE(layerNote(golden("gpt_neo"), 2), std::string());  // past the last layer
}

void ModelDescriptionTest::gptNeoLayersAndUnscaledScores() {
    const ModelConfig c = golden("gpt_neo");  // attention_layers global, local; window_size 4
    QCOMPARE(layerNote(c, 0), std::string("global layer"));
    QCOMPARE(layerNote(c, 1), std::string("local layer, window 4"));
    QCOMPARE(scoreNote(c), std::string("scores not divided by sqrt(d)"));
}

void ModelDescriptionTest::gemma2NotesWindowsScaleAndCaps() {
    const ModelConfig c = ModelConfig::fromJson(gemma2Config(), "config.json");
    QCOMPARE(layerNote(c, 0), std::string("local layer, window 6"));  // Gemma 2: the first layer slides
    QCOMPARE(layerNote(c, 1), std::string("global layer"));
    QCOMPARE(layerNote(c, 2), std::string("local layer, window 6"));
    // 64^-0.5 = 0.125, not head_dim 16's 0.25.
    QCOMPARE(scoreNote(c), std::string("scores scaled by 0.125, scores soft-capped at 50, logits soft-capped at 30"));
}

void ModelDescriptionTest::gemma3NotesEachLayersRope() {
    nlohmann::json j = gemma2Config();
    j["model_type"] = "gemma3_text";
    j["num_hidden_layers"] = 3;
    j["layer_types"] = {"sliding_attention", "sliding_attention", "full_attention"};
    j["rope_parameters"] = {{"sliding_attention", {{"rope_type", "default"}, {"rope_theta", 10000.0}}},
                            {"full_attention", {{"rope_type", "linear"}, {"factor", 8.0}, {"rope_theta", 1000000.0}}}};
    j.erase("attn_logit_softcapping");
    j.erase("final_logit_softcapping");
    const ModelConfig c = ModelConfig::fromJson(j, "config.json");
    QCOMPARE(layerNote(c, 0), std::string("local layer, window 6, RoPE theta 10000"));
    QCOMPARE(layerNote(c, 2), std::string("global layer, RoPE theta 1000000"));
    // Gemma 3 has no soft-caps by default; q/k norms and the scaled global RoPE are noted.
    QCOMPARE(scoreNote(c), std::string("scores scaled by 0.125, q/k normed, RoPE linear x8 (theta 1000000)"));
}

void ModelDescriptionTest::smollm3NotesLayersWithoutRope() {
    const nlohmann::json j = {{"model_type", "smollm3"}, {"num_hidden_layers", 4}, {"num_attention_heads", 4}, {"num_key_value_heads", 2},
                              {"hidden_size", 32},       {"intermediate_size", 64}, {"vocab_size", 100}, {"max_position_embeddings", 128},
                              {"no_rope_layers", {1, 0, 1, 0}}};
    const ModelConfig c = ModelConfig::fromJson(j, "config.json");
    QCOMPARE(layerNote(c, 0), std::string("global layer"));
    QCOMPARE(layerNote(c, 1), std::string("global layer, no RoPE"));
    QVERIFY(scoreNote(c).empty());
}

void ModelDescriptionTest::describeAttentionListsLayersAndRopes() {
    const nlohmann::json neo = describeAttention(golden("gpt_neo"));
    QCOMPARE(neo["head_dim"].get<int>(), 8);
    QCOMPARE(neo["score_scale"].get<double>(), 1.0);
    QCOMPARE(neo["layers"][1]["type"].get<std::string>(), std::string("sliding_attention"));
    QCOMPARE(neo["layers"][1]["window"].get<int>(), 4);
    QVERIFY(!neo.contains("rope"));

    const nlohmann::json g2 = describeAttention(ModelConfig::fromJson(gemma2Config(), "config.json"));
    QCOMPARE(g2["score_scale"].get<double>(), 0.125);
    QCOMPARE(g2["score_softcap"].get<double>(), 50.0);
    QCOMPARE(g2["logit_softcap"].get<double>(), 30.0);
    QCOMPARE(g2["rope"].size(), std::size_t(1));
    QCOMPARE(g2["layers"][3]["rope"].get<int>(), 0);

    const nlohmann::json neox = describeAttention(golden("gpt_neox"));  // partial rotary 0.25 of head_dim 8
    QCOMPARE(neox["rope"][0]["rotary_dims"].get<int>(), 2);
    QCOMPARE(neox["rope"][0]["description"].get<std::string>(), std::string("default (theta 10000, 2 dims rotated)"));
}

QTEST_APPLESS_MAIN(ModelDescriptionTest)
#include "test_model_description.moc"
