#pragma once
#include <string>
#include <vector>

namespace attnscope {

class Checkpoint;

struct Prediction {
    int id = 0;        // token id or class index
    float probability = 0.0f;
};

// The k most probable entries of softmax(logits), most probable first (ties: lower id first).
std::vector<Prediction> topPredictions(const float* logits, int count, int k);

// A prediction with the name it is shown by.
struct NamedPrediction {
    int id = 0;
    std::string name;
    float probability = 0.0f;
};

// The k most probable entries of one row of a checkpoint's logits, named: a classifier's (or
// token classifier's) by its head's own label names, else config.json's id2label ("class N" for
// an id it lacks), a language model's by the vocabulary's spelling (the number itself for an id
// it lacks).
std::vector<NamedPrediction> namedPredictions(const Checkpoint& checkpoint, const float* logits, int count, int k);

// How an entry is shown: a classifier's (or token classifier's) label, else the vocabulary's spelling.
std::string entryName(const Checkpoint& checkpoint, int id);

// The entry a user names: "#N" for entry N; a classifier's label by its name; a vocabulary
// token by its spelling in the vocabulary (what predictions show, "Ġcat"), else the text that
// tokenizes to exactly one token (" cat"). Throws attnscope::Error saying what `name` is instead.
int entryNamed(const Checkpoint& checkpoint, const std::string& name, int count);

// Two distributions over the same entries (a model before and after a change): the union of
// each one's top k, named, with both probabilities; ordered by the larger of the two.
struct ComparedPrediction {
    int id = 0;
    std::string name;
    float before = 0.0f, after = 0.0f;
};
std::vector<ComparedPrediction> comparedPredictions(const Checkpoint& checkpoint, const float* before, const float* after, int count, int k);

}  // namespace attnscope
