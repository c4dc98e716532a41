#pragma once
// The numbers a user types as option values (--layer 3, --mass 0.9, --ids 101,2023,102),
// parsed one way for the command line, the app's command line and session options. Each
// throws attnscope::Error with a message naming the option ("--layer: 'x' is not a whole number").
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

// A whole number from `min` to `max`.
int parseWholeNumber(std::string_view option, std::string_view text, int min = std::numeric_limits<int>::min(),
                     int max = std::numeric_limits<int>::max());
// A finite number, from `min` to `max`.
double parseNumber(std::string_view option, std::string_view text, double min = -std::numeric_limits<double>::max(),
                   double max = std::numeric_limits<double>::max());
// A number in [0, 1], or (0, 1] without allowZero.
double parseFraction(std::string_view option, std::string_view text, bool allowZero);
// Non-negative whole numbers separated by commas ("101,2023,102").
std::vector<int> parseIdList(std::string_view option, std::string_view text);

}  // namespace attnscope
