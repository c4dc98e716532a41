#include "OptionNumbers.h"

#include <charconv>
#include <cmath>
#include <sstream>

#include "Error.h"

namespace attnscope {

namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

[[noreturn]] void refuse(std::string_view option, const std::string& what) { throw Error("--" + std::string(option) + what); }

// Built by appending: GCC 12 flags "'" + std::string(...) with a false -Wrestrict.
std::string quoted(std::string_view text) {
    std::string out(1, '\'');
    out.append(text);
    out.push_back('\'');
    return out;
}

}  // namespace

int parseWholeNumber(std::string_view option, std::string_view text, int min, int max) {
    const std::string_view t = trimmed(text);
    long long value = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size()) refuse(option, ": " + quoted(text) + " is not a whole number");
    if (value < min || value > max) {
        // Name one bound only when it is the one missed and the other is no bound at all: a value
        // past int is not "at least 0" short.
        const bool noMin = min == std::numeric_limits<int>::min(), noMax = max == std::numeric_limits<int>::max();
        const std::string range = value < min && noMax   ? "at least " + std::to_string(min)
                                  : value > max && noMin ? "at most " + std::to_string(max)
                                                         : "from " + std::to_string(min) + " to " + std::to_string(max);
        refuse(option, " must be " + range + ", not " + std::string(t));
    }
    return static_cast<int>(value);
}

double parseNumber(std::string_view option, std::string_view text, double min, double max) {
    // from_chars, not strtod: the app sets the user's locale, in which strtod may want "0,5".
    const std::string_view t = trimmed(text);
    double value = 0.0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(value))
        refuse(option, ": " + quoted(text) + " is not a number");
    if (value < min || value > max) {
        const auto number = [](double x) {
            std::ostringstream out;
            out << x;
            return out.str();
        };
        const std::string range = max == std::numeric_limits<double>::max()     ? "at least " + number(min)
                                  : min == -std::numeric_limits<double>::max() ? "at most " + number(max)
                                                                               : "from " + number(min) + " to " + number(max);
        refuse(option, " must be " + range + ", not " + std::string(t));
    }
    return value;
}

double parseFraction(std::string_view option, std::string_view text, bool allowZero) {
    const double value = parseNumber(option, text);
    if (value > 1.0 || value < 0.0 || (!allowZero && value == 0.0))
        refuse(option, std::string(" must be in ") + (allowZero ? "[0, 1]" : "(0, 1]") + ", not " + std::string(trimmed(text)));
    return value;
}

std::vector<int> parseIdList(std::string_view option, std::string_view text) {
    std::vector<int> ids;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const auto comma = text.find(',', pos);
        const std::string_view item = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        int value = 0;
        const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
        if (item.empty() || ec != std::errc() || end != item.data() + item.size() || value < 0)
            refuse(option, ": " + quoted(item) + " is not a non-negative integer (expected a list like 101,2023,102)");
        ids.push_back(value);
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return ids;
}

}  // namespace attnscope
