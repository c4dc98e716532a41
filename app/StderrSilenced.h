#pragma once
// libpng reports a truncated file by printing "libpng error: ..." straight to stderr (Qt's
// PNG reader keeps libpng's default error handler), which would break the CLI's
// one-error-line contract. The failed decode is reported by ui::loadImageFile as an Error,
// so the library's own line is dropped by pointing stderr at /dev/null while decoding.
#include <fcntl.h>
#include <unistd.h>

namespace cli {

class StderrSilenced {
public:
    StderrSilenced() : saved_(::dup(STDERR_FILENO)) {
        const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (saved_ >= 0 && devnull >= 0) ::dup2(devnull, STDERR_FILENO);
        if (devnull >= 0) ::close(devnull);
    }
    ~StderrSilenced() {
        if (saved_ < 0) return;
        ::dup2(saved_, STDERR_FILENO);
        ::close(saved_);
    }
    StderrSilenced(const StderrSilenced&) = delete;
    StderrSilenced& operator=(const StderrSilenced&) = delete;

private:
    int saved_;
};

}  // namespace cli
