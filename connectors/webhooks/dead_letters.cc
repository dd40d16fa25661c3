#include "connectors/webhooks/dead_letters.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "engine/durable_file.h"
#include "engine/event.h"
#include "engine/sha256.h"
#include "engine/utf8.h"

namespace keel::webhooks {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSuffix = ".json";
constexpr std::string_view kFormat = "keel-dead-letter-1";
// A letter's file holds its body and headers in JSON: at most this many
// times their bytes (hex bodies double), plus the fixed members.
constexpr uint64_t kMaxFileBytes = uint64_t{64} << 20;

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

bool FromHex(std::string_view hex, std::string* bytes) {
  if (hex.size() % 2 != 0) return false;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  bytes->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int high = digit(hex[i]), low = digit(hex[i + 1]);
    if (high < 0 || low < 0) return false;
    bytes->push_back(static_cast<char>(high * 16 + low));
  }
  return true;
}

// The body is kept as text when it is UTF-8 (every JSON body is), as hex
// digits otherwise, so that any bytes a signed request carried come back.
std::string Encode(const DeadLetter& letter) {
  nlohmann::ordered_json file = {
      {"format", kFormat},          {"id", letter.id},
      {"endpoint", letter.endpoint}, {"delivery", letter.delivery},
      {"received", letter.received}, {"reason", IsValidUtf8(letter.reason) ? letter.reason : "(not UTF-8)"},
  };
  nlohmann::ordered_json headers = nlohmann::ordered_json::object();
  for (const auto& [name, value] : letter.headers) {
    headers[name] = IsValidUtf8(value) ? value : ToHex(value);
  }
  file["headers"] = std::move(headers);
  if (IsValidUtf8(letter.body)) {
    file["body"] = letter.body;
  } else {
    file["body_hex"] = ToHex(letter.body);
  }
  return file.dump(2) + "\n";
}

Result<DeadLetter> Decode(const fs::path& path, std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption("dead letter '" + path.string() + "' is damaged: " + why);
  };
  nlohmann::json file = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!file.is_object()) return bad("not a JSON object");
  if (file.value("format", "") != kFormat) return bad("format is not '" + std::string(kFormat) + "'");
  DeadLetter letter;
  for (auto [member, out] : {std::pair{"id", &letter.id}, std::pair{"endpoint", &letter.endpoint},
                             std::pair{"delivery", &letter.delivery}, std::pair{"received", &letter.received},
                             std::pair{"reason", &letter.reason}}) {
    auto it = file.find(member);
    if (it == file.end() || !it->is_string()) return bad(std::string(member) + " is missing or not a string");
    *out = it->get<std::string>();
  }
  auto headers = file.find("headers");
  if (headers == file.end() || !headers->is_object()) return bad("headers is missing or not an object");
  for (const auto& [name, value] : headers->items()) {
    if (!value.is_string()) return bad("header " + name + " is not a string");
    letter.headers[name] = value.get<std::string>();
  }
  if (auto body = file.find("body"); body != file.end() && body->is_string()) {
    letter.body = body->get<std::string>();
  } else if (auto hex = file.find("body_hex"); hex != file.end() && hex->is_string()) {
    if (!FromHex(hex->get<std::string>(), &letter.body)) return bad("body_hex is not hex digits");
  } else {
    return bad("neither body nor body_hex is a string");
  }
  if (path.filename().string() != letter.id + std::string(kSuffix)) return bad("its id does not match its file name");
  return letter;
}

Result<std::string> ReadFile(const fs::path& path) {
  std::error_code error;
  uintmax_t size = fs::file_size(path, error);
  if (error) return Status::IOError("cannot read dead letter '" + path.string() + "': " + error.message());
  if (size > kMaxFileBytes) {
    return Status::Corruption("dead letter '" + path.string() + "' is damaged: " + std::to_string(size) +
                              " bytes, more than a letter can hold");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::IOError("cannot read dead letter '" + path.string() + "'");
  return text.str();
}

bool IsLetterFile(const fs::path& path) {
  std::string name = path.filename().string();
  return name.size() > kSuffix.size() && name.ends_with(kSuffix);
}

bool IsFileSafeName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

}  // namespace

std::string DeadLetterId(std::string_view endpoint, std::string_view delivery, std::string_view body) {
  Hash digest = Sha256(delivery.empty() ? body : delivery);
  return std::string(endpoint) + "-" + HashToHex(digest).substr(0, 16);
}

Result<std::unique_ptr<DeadLetterStore>> DeadLetterStore::Open(const fs::path& dir, DeadLetterLimits limits) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return Status::IOError("cannot create the dead-letter folder '" + dir.string() + "': " + error.message());
  std::unique_ptr<DeadLetterStore> store(new DeadLetterStore(dir, limits));
  MutexLock lock(&store->mu_);
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    const fs::path& path = entry.path();
    if (path.extension() == ".tmp") continue;  // a write a crash cut short: never renamed, so never kept
    if (!IsLetterFile(path) || !entry.is_regular_file()) {
      return Status::Corruption("the dead-letter folder '" + dir.string() + "' holds '" + path.filename().string() +
                                "', which is not a dead letter");
    }
    std::string id = path.stem().string();
    uint64_t bytes = entry.file_size(error);
    store->sizes_[id] = bytes;
    store->total_bytes_ += bytes;
  }
  if (error) return Status::IOError("cannot list the dead-letter folder '" + dir.string() + "': " + error.message());
  return store;
}

fs::path DeadLetterStore::FileOf(std::string_view id) const { return dir_ / (std::string(id) + std::string(kSuffix)); }

Status DeadLetterStore::Put(DeadLetter& letter) {
  if (!IsFileSafeName(letter.endpoint)) {
    return Status::InvalidArgument("a dead letter's endpoint must be 1 to 64 letters, digits, '.', '_' or '-', "
                                   "not starting with '.': '" + letter.endpoint + "'");
  }
  letter.id = DeadLetterId(letter.endpoint, letter.delivery, letter.body);
  std::string text = Encode(letter);
  MutexLock lock(&mu_);
  auto existing = sizes_.find(letter.id);
  uint64_t replaced = existing == sizes_.end() ? 0 : existing->second;
  bool grows = existing == sizes_.end();
  if ((grows && sizes_.size() >= limits_.max_letters) ||
      total_bytes_ - replaced + text.size() > limits_.max_bytes || text.size() > kMaxFileBytes) {
    return Status::ResourceExhausted("the dead letters are full (" + std::to_string(sizes_.size()) + " letters, " +
                                     std::to_string(total_bytes_) + " bytes): list them with `keel deliveries "
                                     "list`, fix the mapping and redrive them");
  }
  KEEL_RETURN_IF_ERROR(ReplaceFileDurably(FileOf(letter.id), text));
  total_bytes_ = total_bytes_ - replaced + text.size();
  sizes_[letter.id] = text.size();
  return Status::OK();
}

Result<std::vector<DeadLetter>> DeadLetterStore::List() const {
  std::vector<std::string> ids;
  {
    MutexLock lock(&mu_);
    for (const auto& [id, bytes] : sizes_) ids.push_back(id);
  }
  std::vector<DeadLetter> letters;
  for (const std::string& id : ids) {
    Result<DeadLetter> letter = Get(id);
    if (!letter.ok() && letter.status().code() == StatusCode::kNotFound) continue;  // redriven meanwhile
    if (!letter.ok()) return letter.status();
    letters.push_back(std::move(*letter));
  }
  std::stable_sort(letters.begin(), letters.end(), [](const DeadLetter& a, const DeadLetter& b) {
    return a.received < b.received;
  });
  return letters;
}

Result<DeadLetter> DeadLetterStore::Get(std::string_view id) const {
  {
    MutexLock lock(&mu_);
    if (!sizes_.contains(id)) return Status::NotFound("no dead letter '" + std::string(id) + "'");
  }
  fs::path path = FileOf(id);
  KEEL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return Decode(path, text);
}

Status DeadLetterStore::Remove(std::string_view id) {
  MutexLock lock(&mu_);
  auto it = sizes_.find(id);
  if (it == sizes_.end()) return Status::NotFound("no dead letter '" + std::string(id) + "'");
  KEEL_RETURN_IF_ERROR(RemoveFileDurably(FileOf(id)));
  total_bytes_ -= it->second;
  sizes_.erase(it);
  return Status::OK();
}

size_t DeadLetterStore::size() const {
  MutexLock lock(&mu_);
  return sizes_.size();
}

}  // namespace keel::webhooks
