// libFuzzer target: reading a SentencePiece model file (the protobuf ModelProto, its compiled
// normalization charsmap) and, when it reads, segmenting a fixed text with it as the library
// would. Seeds: small unigram models made by spm_train (one with a custom rule TSV, so a
// compiled charsmap small enough to mutate).
#include <cstdint>
#include <string>

#include "Error.h"
#include "text/PipelineTokenizer.h"
#include "text/SentencePieceModelFile.h"
#include "text/SentencePiecePipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto model = attnscope::SentencePieceModelFile::parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz.model");
        attnscope::SentencePieceParts sp = attnscope::sentencePieceParts(model, "fuzz.model");
        attnscope::TokenizerParts parts;
        parts.normalizer = std::move(sp.normalizer);
        parts.model = std::move(sp.model);
        const attnscope::PipelineTokenizer tokenizer(std::move(parts));
        (void)tokenizer.encode("  Hello, ＷＯＲＬＤ! l'été \xC3\xA9\xCC\x81 ① \t\r\n東京 🙂 <sep>  ", std::nullopt, false);
    } catch (const attnscope::Error&) {
    }
    return 0;
}
