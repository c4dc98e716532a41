#include "text/Decoders.h"

#include <cctype>
#include <map>

#include "text/ByteLevel.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {

const std::string kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
}

// tokenizers' decoders::wordpiece::cleanup.
std::string cleanup(std::string s) {
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"}, {" 'm", "'m"},
             {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}})
        replaceAll(s, from, to);
    return s;
}

}  // namespace

std::vector<std::string> ByteLevelDecoder::decodeChain(std::vector<std::string> tokens) const {
    static const std::map<char32_t, char> byteOf = [] {
        std::map<char32_t, char> m;
        const auto& alphabet = byteLevelAlphabet();
        for (int b = 0; b < 256; ++b) m[utf8::decode(alphabet[static_cast<std::size_t>(b)])[0]] = static_cast<char>(b);
        return m;
    }();
    // All tokens' bytes are joined before the UTF-8 is read, so a char whose bytes are spread
    // over several tokens comes back whole. A token with any char that is no byte's stand-in
    // (an added token spelled outside the alphabet, such as DeepSeek's "<｜end▁of▁sentence｜>")
    // keeps all its own bytes, as the crate's try_fold does: its stand-in chars stay chars.
    std::string bytes;
    for (const std::string& t : tokens) {
        std::string mapped;
        bool allStandIns = true;
        for (std::size_t i = 0, len = 0; i < t.size() && allStandIns; i += len) {
            const auto it = byteOf.find(utf8::decodeAt(t, i, len));
            if (it == byteOf.end()) allStandIns = false;
            else mapped += it->second;
        }
        bytes += allStandIns ? mapped : t;
    }
    return {utf8::lossy(bytes)};
}

std::vector<std::string> WordPieceDecoder::decodeChain(std::vector<std::string> tokens) const {
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        std::string& t = tokens[i];
        if (i > 0) {
            if (t.rfind(prefix_, 0) == 0) t.erase(0, prefix_.size());
            else t.insert(t.begin(), ' ');  // (a char, not a C string: GCC 12 warns falsely on the latter)
        }
        if (cleanup_) t = cleanup(t);
    }
    return tokens;
}

std::vector<std::string> MetaspaceDecoder::decodeChain(std::vector<std::string> tokens) const {
    // Like the crate, every replacement char of the first token is dropped (not only its
    // leading one) when the pre-tokenizer prepends: "▁▁" first decodes to "", not " ".
    for (std::size_t i = 0; i < tokens.size(); ++i) replaceAll(tokens[i], replacement_, i == 0 && prepends_ ? "" : " ");
    return tokens;
}

std::vector<std::string> ReplaceDecoder::decodeChain(std::vector<std::string> tokens) const {
    for (std::string& t : tokens) replaceAll(t, pattern_, content_);
    return tokens;
}

std::vector<std::string> ByteFallbackDecoder::decodeChain(std::vector<std::string> tokens) const {
    std::vector<std::string> out;
    std::string pending;  // bytes of consecutive <0xNN> tokens
    std::size_t pendingCount = 0;
    auto flush = [&] {
        if (pendingCount == 0) return;
        // Unlike ByteLevel: a run that is not all UTF-8 (String::from_utf8 fails) is one U+FFFD per byte.
        if (utf8::isValid(pending)) {
            out.push_back(pending);
        } else {
            for (std::size_t i = 0; i < pendingCount; ++i) out.push_back(kReplacementChar);
        }
        pending.clear();
        pendingCount = 0;
    };
    for (const std::string& t : tokens) {
        const bool isByte = t.size() == 6 && t.rfind("<0x", 0) == 0 && t[5] == '>' && std::isxdigit(static_cast<unsigned char>(t[3])) &&
                            std::isxdigit(static_cast<unsigned char>(t[4]));
        if (isByte) {
            pending += static_cast<char>(std::stoi(t.substr(3, 2), nullptr, 16));
            ++pendingCount;
        } else {
            flush();
            out.push_back(t);
        }
    }
    flush();
    return out;
}

std::vector<std::string> FuseDecoder::decodeChain(std::vector<std::string> tokens) const {
    std::string joined;
    for (const std::string& t : tokens) joined += t;
    return {joined};
}

std::vector<std::string> StripDecoder::decodeChain(std::vector<std::string> tokens) const {
    for (std::string& t : tokens) {
        for (int i = 0; i < start_ && t.rfind(content_, 0) == 0 && !content_.empty(); ++i) t.erase(0, content_.size());
        for (int i = 0; i < stop_ && !content_.empty() && t.size() >= content_.size() &&
                        t.compare(t.size() - content_.size(), content_.size(), content_) == 0;
             ++i)
            t.erase(t.size() - content_.size());
    }
    return tokens;
}

std::vector<std::string> SequenceDecoder::decodeChain(std::vector<std::string> tokens) const {
    for (const auto& step : steps_) tokens = step->decodeChain(std::move(tokens));
    return tokens;
}

}  // namespace attnscope
