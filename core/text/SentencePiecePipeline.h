#pragma once
// A tokenizer that segments text as Google's SentencePiece library does with a model file
// (SentencePieceProcessor::Encode): its own normalizer over the whole text, then the Unigram
// lattice. Marian's tokenizer calls the library this way.
#include <memory>

#include "text/Model.h"
#include "text/Normalizers.h"
#include "text/SentencePieceModelFile.h"

namespace attnscope {

struct SentencePieceParts {
    std::unique_ptr<Normalizer> normalizer;
    std::unique_ptr<Model> model;  // ids are the model file's piece indices
};

// Throws attnscope::Error naming `where` for models AttnScope cannot segment like the library
// (BPE, word and char models) or a unigram model without an unknown piece.
SentencePieceParts sentencePieceParts(const SentencePieceModelFile& model, const std::string& where);

}  // namespace attnscope
