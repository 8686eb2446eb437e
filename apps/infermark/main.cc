// infermark: the MLPerf llama3.1-8b benchmark and the engine it measures, in one binary.
// main() parses the command line, dispatches to a registered subcommand and turns errors into a
// one-line message and a non-zero exit code.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <map>

#include "command.h"
#include "util/build_info.h"
#include "util/error.h"
#include "util/log.h"

int main(int argc, char** argv) {
  using namespace infermark;
  // Under a file-size limit (ulimit -f) a write past it then fails with EFBIG, which the writer
  // reports with the file's name, instead of SIGXFSZ killing the process without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"infermark — MLPerf Inference llama3.1-8b benchmark and CPU inference engine"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", util::build_info().describe());
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "stderr log level: trace|debug|info|warn|error|off");

  auto& registry = cli::command_registry();
  std::sort(registry.begin(), registry.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::map<CLI::App*, cli::CommandRun> runs;
  for (auto& cmd : registry) {
    CLI::App* sub = app.add_subcommand(cmd.name, cmd.description);
    runs[sub] = cmd.setup(*sub);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "infermark: error: %s\n", e.what());
    return e.get_exit_code() == 0 ? 2 : e.get_exit_code();
  }
  try {
    util::set_log_level(log_level);
    for (auto& [sub, run] : runs) {
      if (sub->parsed()) return run();
    }
    // No subcommand: the embedded default is `run` with no arguments.
    for (auto& [sub, run] : runs) {
      if (sub->get_name() == "run") {
        sub->parse(std::vector<std::string>{});
        return run();
      }
    }
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "infermark: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "infermark: error: %s\n", e.what());
    return 1;
  }
}
