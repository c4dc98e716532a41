#pragma once
// Tokenizers for checkpoints that predate tokenizer.json: vocab.txt (BERT WordPiece) or
// vocab.json + merges.txt (GPT-2 / RoBERTa byte-level BPE), built the way transformers
// converts them to a fast tokenizer.
#include <filesystem>
#include <memory>

#include "text/PipelineTokenizer.h"

namespace attnscope {

std::unique_ptr<PipelineTokenizer> loadWordPieceVocab(const std::filesystem::path& dir);
std::unique_ptr<PipelineTokenizer> loadByteLevelBpe(const std::filesystem::path& dir);

}  // namespace attnscope
