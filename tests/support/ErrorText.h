#pragma once
// The message a refusal carries, for tests that check what the user would read.
#include <QString>

#include "Error.h"

namespace fixtures {

// The message of the attnscope::Error `f` throws ("" when it throws none).
template <typename F>
QString errorOf(F&& f) {
    try {
        f();
    } catch (const attnscope::Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

}  // namespace fixtures
