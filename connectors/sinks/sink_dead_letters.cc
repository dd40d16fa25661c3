#include "connectors/sinks/sink_dead_letters.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "engine/utf8.h"

namespace keel::sinks {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFormat = "keel-sink-dead-letter-1";

std::string Encode(const SinkDeadLetter& letter) {
  nlohmann::ordered_json file = {
      {"format", kFormat},
      {"id", letter.id},
      {"sink", letter.sink},
      {"seq", letter.seq},
      {"event_id", letter.event_id},
      {"workspace", letter.workspace},
      {"attempts", letter.attempts},
      {"status", letter.status},
      {"reason", IsValidUtf8(letter.reason) ? letter.reason : "(not UTF-8)"},
      {"first_try", letter.first_try},
      {"last_try", letter.last_try},
  };
  return file.dump(2) + "\n";
}

Result<SinkDeadLetter> Decode(const fs::path& path, std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption("sink dead letter '" + path.string() + "' is damaged: " + why);
  };
  nlohmann::json file = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!file.is_object()) return bad("not a JSON object");
  if (file.value("format", "") != kFormat) return bad("format is not '" + std::string(kFormat) + "'");
  SinkDeadLetter letter;
  for (auto [member, out] :
       {std::pair{"id", &letter.id}, std::pair{"sink", &letter.sink}, std::pair{"event_id", &letter.event_id},
        std::pair{"workspace", &letter.workspace}, std::pair{"reason", &letter.reason},
        std::pair{"first_try", &letter.first_try}, std::pair{"last_try", &letter.last_try}}) {
    auto it = file.find(member);
    if (it == file.end() || !it->is_string()) return bad(std::string(member) + " is missing or not a string");
    *out = it->get<std::string>();
  }
  auto seq = file.find("seq");
  if (seq == file.end() || !seq->is_number_unsigned()) return bad("seq is missing or not a whole number");
  letter.seq = seq->get<uint64_t>();
  for (auto [member, out] : {std::pair{"attempts", &letter.attempts}, std::pair{"status", &letter.status}}) {
    auto it = file.find(member);
    if (it == file.end() || !it->is_number_integer()) return bad(std::string(member) + " is missing or not a number");
    *out = it->get<int>();
  }
  if (path.stem().string() != letter.id) return bad("its id does not match its file name");
  return letter;
}

}  // namespace

std::string SinkDeadLetterId(std::string_view sink, uint64_t seq) {
  return std::string(sink) + "-" + std::to_string(seq);
}

int StatusOfDetail(std::string_view detail) {
  for (std::string_view protocol : {"HTTP ", "SMTP "}) {
    if (!detail.starts_with(protocol)) continue;
    std::string_view digits = detail.substr(protocol.size(), 3);
    if (digits.size() != 3 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return 0;
    }
    if (detail.size() > protocol.size() + 3 && detail[protocol.size() + 3] >= '0' &&
        detail[protocol.size() + 3] <= '9') {
      return 0;  // more than three digits: not a status
    }
    return (digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0');
  }
  return 0;
}

Result<std::unique_ptr<SinkDeadLetterStore>> SinkDeadLetterStore::Open(const fs::path& dir,
                                                                      LetterFolderLimits limits) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<LetterFolder> folder, LetterFolder::Open(dir, limits));
  return std::unique_ptr<SinkDeadLetterStore>(new SinkDeadLetterStore(std::move(folder)));
}

Status SinkDeadLetterStore::Put(SinkDeadLetter& letter) {
  if (!IsFileSafeName(letter.sink)) {
    return Status::InvalidArgument("a sink's name must be 1 to 64 letters, digits, '.', '_' or '-', "
                                   "not starting with '.': '" + letter.sink + "'");
  }
  letter.id = SinkDeadLetterId(letter.sink, letter.seq);
  return folder_->Put(letter.id, Encode(letter),
                      "the sink holds its events back until there is room: list them with `keel deliveries list`, "
                      "fix the cause and redrive them");
}

Result<std::vector<SinkDeadLetter>> SinkDeadLetterStore::List() const {
  std::vector<SinkDeadLetter> letters;
  for (const std::string& id : folder_->Ids()) {
    Result<SinkDeadLetter> letter = Get(id);
    if (!letter.ok() && letter.status().code() == StatusCode::kNotFound) continue;  // redriven meanwhile
    if (!letter.ok()) return letter.status();
    letters.push_back(std::move(*letter));
  }
  std::stable_sort(letters.begin(), letters.end(), [](const SinkDeadLetter& a, const SinkDeadLetter& b) {
    if (a.last_try != b.last_try) return a.last_try < b.last_try;
    return a.sink == b.sink ? a.seq < b.seq : a.sink < b.sink;
  });
  return letters;
}

Result<SinkDeadLetter> SinkDeadLetterStore::Get(std::string_view id) const {
  KEEL_ASSIGN_OR_RETURN(std::string text, folder_->Read(id));
  return Decode(folder_->FileOf(id), text);
}

Status SinkDeadLetterStore::Remove(std::string_view id) { return folder_->Remove(id); }

}  // namespace keel::sinks
