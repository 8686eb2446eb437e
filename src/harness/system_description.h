// systems/<system>.json: MLPerf's system description, with every field of the submission
// checker's SYSTEM_DESC_REQUIRED_FIELDS. What infermark knows comes from the machine
// (MachineInfo); what it cannot know (cooling, say) comes from the submitter's options; a file an
// earlier run wrote — and the submitter may have edited — keeps its non-empty values, so that
// runs of several scenarios into one tree never undo an edit. Precedence, highest first:
// explicit options (--submitter, --division, --system-field), values already in the file, what
// the machine tells, defaults. The weight and activation precision are facts of the run, not of
// the machine: each run sets them (MLPerf's measurements.json states the weights' too; the two
// extra keys are not among the checker's required fields, which it does not mind).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/system_info.h"
#include "util/json.h"

namespace infermark::harness {

struct SystemDescriptionOptions {
  std::string system_name;
  std::string system_type = "datacenter";  // datacenter | edge
  std::optional<std::string> submitter;    // explicit --submitter
  std::optional<std::string> division;     // explicit --division: open | closed
  // --system-field KEY=VALUE: any required field by name, set as given.
  std::map<std::string, std::string> fields;
  // What the system under test computes in ("bf16", "int4-g128 (lm_head bf16)"): the
  // description's weight_data_types and activation_data_types. Empty: not known.
  std::string weight_data_types;
  std::string activation_data_types;
};

// The checker's required fields, in its order (SYSTEM_DESC_REQUIRED_FIELDS).
const std::vector<std::string_view>& required_system_fields();

// Throws Error naming the option for a field name that is not a required field, or a value the
// checker rejects (division, status, system_type).
void validate_system_options(const SystemDescriptionOptions& options);

// The description of the machine alone, with defaults for what the options do not say.
util::Json system_description(const MachineInfo& m, const SystemDescriptionOptions& options);

// `generated` merged into `existing` with the precedence above; keys only `existing` has are kept.
// A precision the file states that differs from the run's is replaced and, if `notes`, named
// there (results of both precisions would then share one system description).
util::Json merge_system_description(const util::Json& existing, const util::Json& generated,
                                    const SystemDescriptionOptions& options,
                                    std::vector<std::string>* notes = nullptr);

// The fields the checker requires to be meaningful (non-empty) that are empty in `d`: what the
// submitter must still fill in.
std::vector<std::string> empty_meaningful_fields(const util::Json& d);

struct SystemDescriptionWritten {
  std::vector<std::string> fields_to_fill;  // empty_meaningful_fields of what was written
  std::vector<std::string> notes;           // merge_system_description's
};

// Writes `path` (merged with the file already there, if any). Throws Error naming the file if it
// cannot be read, parsed or written.
SystemDescriptionWritten write_system_description(const std::filesystem::path& path,
                                                  const MachineInfo& m,
                                                  const SystemDescriptionOptions& options);

}  // namespace infermark::harness
