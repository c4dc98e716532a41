#include "text/Decoders.h"

#include <cctype>
#include <map>

#include "Error.h"
#include "text/ByteLevel.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {

const std::string kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], 0 when there is none.
std::size_t validSequenceAt(const std::string& s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    try {
        utf8::validate(std::string_view(s).substr(i, n), "bytes");
    } catch (const Error&) {
        return 0;
    }
    return n;
}

// Invalid bytes each become U+FFFD, as Rust's from_utf8_lossy does for lone bytes.
std::string lossyUtf8(const std::string& bytes) {
    std::string out;
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t n = validSequenceAt(bytes, i);
        if (n == 0) {
            out += kReplacementChar;
            ++i;
        } else {
            out.append(bytes, i, n);
            i += n;
        }
    }
    return out;
}

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
    static const std::map<std::string, char> byteOf = [] {
        std::map<std::string, char> m;
        const auto& alphabet = byteLevelAlphabet();
        for (int b = 0; b < 256; ++b) m[alphabet[static_cast<std::size_t>(b)]] = static_cast<char>(b);
        return m;
    }();
    std::string bytes;
    for (const std::string& t : tokens) {
        for (std::size_t i = 0; i < t.size();) {
            std::size_t len = 1;
            utf8::decodeAt(t, i, len);
            const auto it = byteOf.find(t.substr(i, len));
            if (it != byteOf.end()) bytes += it->second;
            else bytes.append(t, i, len);  // not a byte stand-in (an added token): kept as it is
            i += len;
        }
    }
    return {lossyUtf8(bytes)};
}

std::vector<std::string> WordPieceDecoder::decodeChain(std::vector<std::string> tokens) const {
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        std::string& t = tokens[i];
        if (i > 0) {
            if (t.rfind(prefix_, 0) == 0) t.erase(0, prefix_.size());
            else t.insert(0, " ");
        }
        if (cleanup_) t = cleanup(t);
    }
    return tokens;
}

std::vector<std::string> MetaspaceDecoder::decodeChain(std::vector<std::string> tokens) const {
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        replaceAll(tokens[i], replacement_, " ");
        if (i == 0 && prepends_ && !tokens[i].empty() && tokens[i][0] == ' ') tokens[i].erase(0, 1);
    }
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
        bool valid = true;
        for (std::size_t i = 0; i < pending.size() && valid;) {
            const std::size_t n = validSequenceAt(pending, i);
            valid = n > 0;
            i += n;
        }
        if (valid) {
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
