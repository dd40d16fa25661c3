// RuleSet::Load: read the files, parse and check every one of them, then the
// checks that need the whole set (duplicate ids, the rule graph), then index.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "engine/log/timer_rearm.h"
#include "rules/load/rule_graph.h"
#include "rules/load/rule_loader.h"
#include "rules/ruleset_data.h"

namespace keel::rules {

namespace {

constexpr std::string_view kRulesPrefix = "rules/";
constexpr std::string_view kTemplatesPrefix = "templates/";

std::string DisplayName(const std::string& key, const LoadOptions& options) {
  auto under = [&](std::string_view prefix, const std::string& folder) -> std::optional<std::string> {
    if (!key.starts_with(prefix) || folder.empty()) return std::nullopt;
    std::string base = folder;
    if (base.back() == '/') base.pop_back();
    return base + "/" + key.substr(prefix.size());
  };
  if (auto name = under(kRulesPrefix, options.rules_display)) return *name;
  if (auto name = under(kTemplatesPrefix, options.templates_display)) return *name;
  return key;
}

Result<std::unique_ptr<SchemaRegistry>> LoadSchemas(const LoadOptions& options) {
  if (options.schema_dir.empty()) return SchemaRegistry::LoadEmbedded();
  return SchemaRegistry::LoadFromDirectory(options.schema_dir);
}

// yaml-cpp reports some misuse with exceptions; none may leave Load.
template <typename Fn>
void Guarded(LoadContext& context, Fn fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    context.Error({1, 1}, std::string("internal error while reading this file: ") + e.what());
  }
}

// Everything one load builds up, file by file.
struct Loader {
  const LoadOptions& options;
  std::vector<Diagnostic> diagnostics;
  std::vector<std::unique_ptr<SourceFile>> files;
  std::unique_ptr<SchemaRegistry> registry;
  std::unique_ptr<LoadState> state;
  std::map<std::string, std::unique_ptr<TaskTemplate>, std::less<>> templates;
  std::map<std::string, nlohmann::json> custom;
  std::vector<Rule> rules;
  std::map<std::string, std::shared_ptr<const WorkspaceCalendar>, std::less<>> calendars;
  std::map<std::string, std::string> calendar_declared_in;

  const SourceFile& File(const std::string& key) const {
    return **std::find_if(files.begin(), files.end(), [&](const auto& f) { return f->key() == key; });
  }

  void LoadTemplate(const SourceFile& file) {
    LoadContext context(file, &diagnostics);
    Guarded(context, [&] { LoadTemplate(context); });
  }

  void LoadTemplate(LoadContext& context) {
    std::optional<YAML::Node> root = ParseYamlDocument(context);
    if (!root) return;
    std::optional<TaskTemplate> t = ReadTemplate(context, *root);
    if (context.error_count() == 0) CheckAgainstSchema(context, *root, /*is_template=*/true);
    if (!t || context.error_count() > 0) return;
    if (auto it = templates.find(t->name); it != templates.end()) {
      context.Error({t->line, 1}, "duplicate template name '" + t->name + "' (also defined in " +
                                      File(it->second->file).display() + ":" + std::to_string(it->second->line) + ")");
      return;
    }
    std::string name = t->name;
    templates.emplace(name, std::make_unique<TaskTemplate>(*std::move(t)));
  }

  void DeclareEvents(LoadContext& context, const YAML::Node& root, std::map<std::string, std::string>* declared_in) {
    for (EventDeclaration& declaration : ReadEventDeclarations(context, root)) {
      if (state->catalog.IsBuiltin(declaration.type)) {
        context.Error(declaration.position, "events: '" + declaration.type + "' is a built-in event type");
        continue;
      }
      if (auto it = declared_in->find(declaration.type); it != declared_in->end()) {
        context.Error(declaration.position, "events: '" + declaration.type + "' is declared twice (also in " + it->second + ")");
        continue;
      }
      Status added = registry->AddType(declaration.type, RuleSet::CustomEventSchema(declaration.type, declaration.data_schema));
      if (!added.ok()) {
        context.Error(declaration.position, "events: the schema of '" + declaration.type + "' cannot be used: " + added.message());
        continue;
      }
      Position p = declaration.position;
      (*declared_in)[declaration.type] = context.file().display() + ":" + std::to_string(p.line) + ":" + std::to_string(p.col);
      state->catalog.AddCustom(declaration.type);
      custom[declaration.type] = std::move(declaration.data_schema);
    }
  }

  void DeclareCalendars(LoadContext& context, const YAML::Node& root) {
    for (CalendarDeclaration& declaration : ReadCalendars(context, root)) {
      Position p = declaration.position;
      std::string here = context.file().display() + ":" + std::to_string(p.line) + ":" + std::to_string(p.col);
      auto [it, inserted] = calendar_declared_in.emplace(declaration.workspace, here);
      if (!inserted) {
        context.Error(p, "calendars: '" + declaration.workspace + "' has a calendar already (at " + it->second + ")");
        continue;
      }
      calendars[declaration.workspace] = std::move(declaration.calendar);
    }
  }

  void LoadRuleFiles(const std::vector<const SourceFile*>& rule_files) {
    // First every file's custom event types, which any rule may name.
    std::vector<std::pair<const SourceFile*, YAML::Node>> documents;
    std::map<std::string, std::string> declared_in;
    std::map<const SourceFile*, size_t> parse_errors;
    for (const SourceFile* file : rule_files) {
      LoadContext context(*file, &diagnostics);
      Guarded(context, [&] {
        std::optional<YAML::Node> root = ParseYamlDocument(context);
        if (root) DeclareEvents(context, *root, &declared_in);
        if (root) DeclareCalendars(context, *root);
        if (root) documents.emplace_back(file, *root);
      });
      parse_errors[file] = context.error_count();
    }
    state->registry = registry.get();
    for (const auto& [name, t] : templates) state->templates[name] = t.get();
    for (const auto& document : documents) {
      const SourceFile* file = document.first;
      const YAML::Node& root = document.second;
      LoadContext context(*file, &diagnostics);
      Guarded(context, [&] {
        ReadRules(context, root, *state, &rules);
        if (context.error_count() == 0 && parse_errors[file] == 0) CheckAgainstSchema(context, root, /*is_template=*/false);
      });
    }
  }

  void CheckDuplicateIds() {
    std::map<std::string, const Rule*> first;
    for (Rule& rule : rules) {
      auto [it, inserted] = first.emplace(rule.id, &rule);
      if (inserted) continue;
      const Rule& other = *it->second;
      LoadContext context(File(rule.file), &diagnostics);
      context.set_rule_id(rule.id);
      context.Error({rule.line, rule.col}, "duplicate rule id '" + rule.id + "' (also defined at " +
                                               File(other.file).display() + ":" + std::to_string(other.line) + ":" +
                                               std::to_string(other.col) + ")");
    }
  }

  void WarnAboutCycles() {
    RuleGraph graph = BuildRuleGraph(rules);
    for (const auto& cycle : graph.cycles) {
      const Rule& rule = *graph.nodes[cycle.front()].rule;
      LoadContext context(File(rule.file), &diagnostics);
      context.set_rule_id(rule.id);
      std::string path;
      for (size_t v : cycle) path += graph.nodes[v].rule->id + " -> ";
      path += rule.id;
      std::string what = cycle.size() == 1 ? "rule can trigger itself: " : "cycle in the rule graph " + path + ": ";
      std::string ends = graph.CycleWaitsForATimer(cycle)
                             ? "; each turn waits for a timer, and a timer armed as a timer fires must be due at least " +
                                   std::to_string(kMinTimerRearmDelayMicros / 60'000'000) +
                                   "m later: one due sooner is not armed (rule.failed), which ends the loop"
                             : "; cascades stop at the depth limit with rule.halted";
      context.Warning({rule.line, rule.col}, what + graph.DescribeCycle(cycle) + ends);
    }
  }
};

std::string Summary(const std::vector<Diagnostic>& diagnostics) {
  size_t errors = std::count_if(diagnostics.begin(), diagnostics.end(),
                                [](const Diagnostic& d) { return d.severity == Severity::kError; });
  std::string out = std::to_string(errors) + (errors == 1 ? " error" : " errors") + " in the rule set";
  size_t shown = 0;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity != Severity::kError || shown++ == 5) continue;
    out += "\n" + FormatHeadline(d);
  }
  return out;
}

// A rule set is what its folders hold: a link to a file outside them (a
// secret, another team's rules) is refused, not followed. Links that stay
// inside are fine.
Status RequireInside(const std::filesystem::path& dir, const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_symlink(file, error)) return Status::OK();
  std::filesystem::path root = std::filesystem::canonical(dir, error);
  std::filesystem::path target = std::filesystem::canonical(file, error);
  std::filesystem::path inside = target.lexically_relative(root);
  if (error || inside.empty() || *inside.begin() == "..") {
    return Status::InvalidArgument(file.string() + ": a link to " + target.string() + ", outside " + dir.string() +
                                   "; rule and template files must live in their folder");
  }
  return Status::OK();
}

Status ReadFolder(const std::filesystem::path& dir, std::string_view prefix, RuleSetSources* sources) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    return Status::NotFound("'" + dir.string() + "' is not a folder");
  }
  std::filesystem::recursive_directory_iterator it(dir, error), end;
  for (; !error && it != end; it.increment(error)) {
    std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    std::string extension = it->path().extension().string();
    if (!it->is_regular_file() || (extension != ".yaml" && extension != ".yml")) continue;
    KEEL_RETURN_IF_ERROR(RequireInside(dir, it->path()));
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in.good() && !in.eof()) return Status::IOError("cannot read " + it->path().string());
    (*sources)[std::string(prefix) + it->path().lexically_relative(dir).generic_string()] = bytes.str();
  }
  if (error) return Status::IOError("cannot list " + dir.string() + ": " + error.message());
  return Status::OK();
}

}  // namespace

Result<RuleSetSources> RuleSet::ReadSources(const std::filesystem::path& rules_dir,
                                            const std::filesystem::path& templates_dir) {
  RuleSetSources sources;
  KEEL_RETURN_IF_ERROR(ReadFolder(rules_dir, kRulesPrefix, &sources));
  if (!templates_dir.empty()) KEEL_RETURN_IF_ERROR(ReadFolder(templates_dir, kTemplatesPrefix, &sources));
  return sources;
}

Result<RuleSet> RuleSet::Load(const std::filesystem::path& rules_dir, const std::filesystem::path& templates_dir,
                              const LoadOptions& options, std::vector<Diagnostic>* diagnostics) {
  KEEL_ASSIGN_OR_RETURN(RuleSetSources sources, ReadSources(rules_dir, templates_dir));
  LoadOptions named = options;
  if (named.rules_display.empty()) named.rules_display = rules_dir.generic_string();
  if (named.templates_display.empty()) named.templates_display = templates_dir.generic_string();
  return LoadFromSources(std::move(sources), named, diagnostics);
}

Result<RuleSet> RuleSet::LoadFromSources(RuleSetSources sources, const LoadOptions& options,
                                         std::vector<Diagnostic>* diagnostics) {
  Loader loader{options, {}, {}, nullptr, nullptr, {}, {}, {}, {}, {}};
  KEEL_ASSIGN_OR_RETURN(loader.registry, LoadSchemas(options));
  loader.state = std::make_unique<LoadState>(loader.registry->Types());
  std::vector<const SourceFile*> rule_files;
  std::vector<const SourceFile*> template_files;
  for (const auto& [key, text] : sources) {
    loader.files.push_back(std::make_unique<SourceFile>(key, DisplayName(key, options), text));
    if (key.starts_with(kRulesPrefix)) rule_files.push_back(loader.files.back().get());
    if (key.starts_with(kTemplatesPrefix)) template_files.push_back(loader.files.back().get());
  }
  loader.state->has_templates = !template_files.empty();
  for (const SourceFile* file : template_files) loader.LoadTemplate(*file);
  loader.LoadRuleFiles(rule_files);
  loader.CheckDuplicateIds();
  loader.WarnAboutCycles();
  if (rule_files.empty()) {
    Diagnostic d;
    d.file = options.rules_display.empty() ? "rules" : options.rules_display;
    d.message = "no rule files (*.yaml, *.yml)";
    d.severity = Severity::kWarning;
    loader.diagnostics.push_back(std::move(d));
  }
  std::stable_sort(loader.diagnostics.begin(), loader.diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.col) < std::tie(b.file, b.line, b.col);
  });
  if (diagnostics) *diagnostics = loader.diagnostics;
  bool failed = std::any_of(loader.diagnostics.begin(), loader.diagnostics.end(),
                            [](const Diagnostic& d) { return d.severity == Severity::kError; });
  if (failed) return Status::InvalidArgument(Summary(loader.diagnostics));

  auto data = std::make_shared<Data>();
  data->hash = RuleSetHash(sources);
  data->sources = std::move(sources);
  data->rules = std::move(loader.rules);
  std::sort(data->rules.begin(), data->rules.end(),
            [](const Rule& a, const Rule& b) { return std::tie(a.order, a.id) < std::tie(b.order, b.id); });
  for (const Rule& rule : data->rules) {
    if (!rule.enabled) continue;
    if (rule.time && rule.time->kind != TimeTrigger::Kind::kTimer) {
      data->time_rules.push_back(&rule);  // armed and fired by the reactor, not matched by type
      continue;
    }
    for (const std::string& type : rule.event_types) data->index[type].push_back(&rule);
  }
  data->calendars = std::move(loader.calendars);
  data->templates = std::move(loader.templates);
  data->custom_event_types = std::move(loader.custom);
  data->event_types = loader.state->catalog.all();
  for (Diagnostic& d : loader.diagnostics) data->warnings.push_back(std::move(d));
  return RuleSet(std::move(data));
}

}  // namespace keel::rules
