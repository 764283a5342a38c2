// systemd/marin-sync.service passes `systemd-analyze verify`. The unit names
// /usr/bin/marin-sync, which a build tree does not have: a copy whose
// ExecStart points at this (existing, executable) test binary is verified.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string find_systemd_analyze() {
    for (const char* p : {"/usr/bin/systemd-analyze", "/bin/systemd-analyze"}) {
        if (::access(p, X_OK) == 0) return p;
    }
    return {};
}

// Runs a command, returns (exit status, stdout+stderr).
std::pair<int, std::string> run(const std::string& command) {
    std::string output;
    std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return {-1, "popen failed"};
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) output.append(buf.data(), n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

const fs::path unit_file = fs::path(MARIN_SYSTEMD_DIR) / "marin-sync.service";

TEST(SystemdUnit, VerifiesClean) {
    const std::string analyze = find_systemd_analyze();
    if (analyze.empty()) GTEST_SKIP() << "systemd-analyze is not installed";
    std::string unit = read_file(unit_file);
    ASSERT_FALSE(unit.empty()) << unit_file;
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    const std::string from = "ExecStart=/usr/bin/marin-sync";
    const auto at = unit.find(from);
    ASSERT_NE(at, std::string::npos);
    unit.replace(at, from.size(), "ExecStart=" + self);

    const fs::path dir = fs::temp_directory_path() / ("marin-unit-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path copy = dir / "marin-sync.service";
    std::ofstream(copy) << unit;
    const auto [status, output] = run(analyze + " verify --man=no " + copy.string());
    fs::remove_all(dir);
    EXPECT_EQ(status, 0) << output;
    EXPECT_EQ(output, "") << "verify printed warnings";
}

TEST(SystemdUnit, HasTheSettingsWeRelyOn) {
    const std::string unit = read_file(unit_file);
    for (const char* line :
         {"Type=notify\n", "NotifyAccess=main\n", "ExecReload=/bin/kill -HUP $MAINPID\n", "Restart=on-failure\n",
          "TimeoutStopSec=60\n", "WatchdogSec=", "LoadCredential=marin-api-key:/etc/marin-sync/api-key\n",
          "DynamicUser=yes\n", "ProtectSystem=strict\n", "NoNewPrivileges=yes\n", "CapabilityBoundingSet=\n",
          "SystemCallFilter=@system-service\n", "SystemCallFilter=~@privileged @resources\n",
          "SystemCallArchitectures=native\n", "MemoryDenyWriteExecute=yes\n", "UMask=0077\n",
          "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n"}) {
        EXPECT_NE(unit.find(line), std::string::npos) << "missing: " << line;
    }
}

}  // namespace
