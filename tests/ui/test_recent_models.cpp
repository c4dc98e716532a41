// RecentModels and File ▸ Open Recent: newest first, no duplicates, ten at most, kept in
// QSettings (redirected to a test location), and a menu entry opens its folder.
#include <QtTest>

#include <QAction>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>

#include "MainWindow.h"
#include "RecentModels.h"
#include "ViewFixtures.h"

using attnscope::ui::MainWindow;
using attnscope::ui::RecentModels;

class TestRecentModels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void newestFirstWithoutDuplicates();
    void keepsTen();
    void survivesARestart();
    void removeAndClear();
    void windowAddsOpenedModelAndMenuOpensIt();
};

void TestRecentModels::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // keep QSettings away from the user's
    QCoreApplication::setOrganizationName(QStringLiteral("AttnScopeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("test_recent_models"));
}

void TestRecentModels::init() { RecentModels().clear(); }

void TestRecentModels::newestFirstWithoutDuplicates() {
    RecentModels recent;
    QSignalSpy changed(&recent, &RecentModels::changed);
    recent.add(QStringLiteral("/models/a"));
    recent.add(QStringLiteral("/models/b"));
    recent.add(QStringLiteral("/models/a/"));  // the same folder, spelled with a slash
    QCOMPARE(recent.folders(), (QStringList{"/models/a", "/models/b"}));
    QCOMPARE(changed.count(), 3);
}

void TestRecentModels::keepsTen() {
    RecentModels recent;
    for (int i = 0; i < 14; ++i) recent.add(QStringLiteral("/models/m%1").arg(i));
    const QStringList folders = recent.folders();
    QCOMPARE(folders.size(), RecentModels::kMaxEntries);
    QCOMPARE(folders.first(), QStringLiteral("/models/m13"));
    QCOMPARE(folders.last(), QStringLiteral("/models/m4"));
}

void TestRecentModels::survivesARestart() {
    RecentModels().add(QStringLiteral("/models/kept"));
    QSettings().sync();
    QCOMPARE(RecentModels().folders(), QStringList{"/models/kept"});
    QVERIFY(QSettings().fileName().contains(QStringLiteral(".qttest")));  // the test location, not the user's
}

void TestRecentModels::removeAndClear() {
    RecentModels recent;
    recent.add(QStringLiteral("/x"));
    recent.add(QStringLiteral("/y"));
    recent.remove(QStringLiteral("/x"));
    QCOMPARE(recent.folders(), QStringList{"/y"});
    recent.clear();
    QVERIFY(recent.folders().isEmpty());
}

void TestRecentModels::windowAddsOpenedModelAndMenuOpensIt() {
    const QString bert = QDir::cleanPath(viewfixtures::goldenModel("bert"));
    const QString gpt2 = QDir::cleanPath(viewfixtures::goldenModel("gpt2"));
    MainWindow window;
    window.openModel(bert);
    QTRY_VERIFY_WITH_TIMEOUT(window.session().checkpoint() && !window.session().isBusy(), 60000);
    window.openModel(gpt2);
    QTRY_VERIFY_WITH_TIMEOUT(window.session().modelFolder() == gpt2 && !window.session().isBusy(), 60000);
    QCOMPARE(window.recentModels().folders(), (QStringList{gpt2, bert}));

    QAction* bertEntry = nullptr;
    for (QAction* action : window.recentMenu()->actions())
        if (action->data().toString() == bert) bertEntry = action;
    QVERIFY(bertEntry);
    QCOMPARE(window.recentMenu()->actions().first()->data().toString(), gpt2);
    bertEntry->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(window.session().modelFolder() == bert && !window.session().isBusy(), 60000);
    QCOMPARE(window.recentModels().folders().first(), bert);
}

QTEST_MAIN(TestRecentModels)
#include "test_recent_models.moc"
