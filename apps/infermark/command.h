// Subcommand registry of the infermark CLI. Each subcommand lives in its own `<name>_command.cc`
// and registers itself with a static `CommandRegistration`:
//
//   static CommandRegistration reg{"tokenize", "Encode or decode text", [](CLI::App& app) {
//     auto opts = std::make_shared<Options>();
//     app.add_option(...);
//     return [opts] { return run(*opts); };   // returns the process exit code
//   }};
//
// The CLI is the only layer that prints errors and picks exit codes: a command may throw
// infermark::Error, which main() prints as one line and turns into exit code 1.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace infermark::cli {

// Returned by a command's setup: runs the command after parsing, returns the exit code.
using CommandRun = std::function<int()>;
using CommandSetup = std::function<CommandRun(CLI::App&)>;

struct CommandInfo {
  std::string name;
  std::string description;
  CommandSetup setup;
};

// All registered commands, in registration order.
std::vector<CommandInfo>& command_registry();

struct CommandRegistration {
  CommandRegistration(std::string name, std::string description, CommandSetup setup) {
    command_registry().push_back({std::move(name), std::move(description), std::move(setup)});
  }
};

}  // namespace infermark::cli
