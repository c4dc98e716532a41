#pragma once
// The output heads the family tables share, as transformers builds them; the tables in
// FamilySpec.cpp and Seq2SeqFamilies.cpp put them in their entries.
#include <string>

#include "model/FamilySpec.h"

namespace attnscope {

OutputHeadSpec sequenceHead(HeadPooling pooling, std::string dense, Activation activation, std::string projection,
                            BiasRule bias = BiasRule::Required);
OutputHeadSpec maskedLmHead(std::string dense, bool modelActivation, std::string norm, std::string bias);
OutputHeadSpec causalLmHead(std::string projection);
OutputHeadSpec imageClassifier(HeadPooling pooling, std::string projection, std::string second = {});

}  // namespace attnscope
