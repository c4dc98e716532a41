#pragma once
#include <filesystem>
#include <functional>
#include <ostream>

namespace attnscope {

// Writes a file through a temporary sibling and renames it into place, so the target is
// either the old file or the complete new one. Throws attnscope::Error naming the path.
void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& writeBody);

}  // namespace attnscope
