// Daemon: sd_notify messages over the notify socket, the watchdog interval.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "marin/daemon/notifier.hpp"

namespace {

using namespace std::chrono_literals;
using namespace marin::daemon;

TEST(Notifier, RecordsMessages) {
    RecordingNotifier n(10s);
    n.notify(ready_message("1.0.0"));
    n.notify(status_message("full sync:\n412/1203 listings"));
    n.notify(stopping_message);
    EXPECT_EQ(n.messages(), (std::vector<std::string>{"READY=1\nSTATUS=marin-sync 1.0.0 up",
                                                      "STATUS=full sync: 412/1203 listings", "STOPPING=1"}));
    EXPECT_EQ(n.watchdog_interval(), std::chrono::microseconds(10s));
}

// The real libsystemd path: a unix datagram socket standing in for systemd.
class NotifySocket : public ::testing::Test {
  protected:
    void SetUp() override {
        char dir_template[] = "/tmp/marin-notify-XXXXXX";
        ASSERT_NE(::mkdtemp(dir_template), nullptr);
        dir = dir_template;
        path = dir + "/notify";
        fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ASSERT_GE(fd, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path.copy(addr.sun_path, sizeof addr.sun_path - 1);
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        timeval timeout{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    }
    void TearDown() override {
        ::unsetenv("NOTIFY_SOCKET");
        ::unsetenv("WATCHDOG_USEC");
        ::unsetenv("WATCHDOG_PID");
        if (fd >= 0) ::close(fd);
        ::unlink(path.c_str());
        ::rmdir(dir.c_str());
    }
    std::string receive() {
        char buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        return n < 0 ? std::string("<nothing>") : std::string(buf, std::size_t(n));
    }

    std::string dir, path;
    int fd = -1;
};

TEST_F(NotifySocket, SystemdNotifierSendsDatagrams) {
    SystemdNotifier n;
    n.notify(ready_message("2.0.0"));
    EXPECT_EQ(receive(), "READY=1\nSTATUS=marin-sync 2.0.0 up");
    n.notify(watchdog_message);
    EXPECT_EQ(receive(), "WATCHDOG=1");
    n.notify(stopping_message);
    EXPECT_EQ(receive(), "STOPPING=1");
}

TEST_F(NotifySocket, WatchdogIntervalFromEnvironment) {
    SystemdNotifier n;
    EXPECT_FALSE(n.watchdog_interval());
    ::setenv("WATCHDOG_USEC", "3000000", 1);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    EXPECT_EQ(n.watchdog_interval(), std::chrono::microseconds(3s));
    ::setenv("WATCHDOG_PID", "1", 1);  // meant for another process
    EXPECT_FALSE(n.watchdog_interval());
}

TEST(Notifier, NoSocketIsHarmless) {
    ::unsetenv("NOTIFY_SOCKET");
    SystemdNotifier n;
    n.notify("READY=1");
    SUCCEED();
}

}  // namespace
