#pragma once
// Runs the built attnscope-cli and captures what a user would see.
#include <QByteArray>
#include <QProcess>
#include <QStringList>

namespace fixtures {

struct CliRun {
    int exitCode = -1;  // -1: did not finish in time; -2: crashed
    QByteArray out;
    QByteArray err;
};

inline CliRun runCli(const QStringList& args) {
    QProcess p;
    p.start(QString(ATTNSCOPE_CLI_PATH), args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    CliRun r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

}  // namespace fixtures
