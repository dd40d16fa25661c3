#include "connectors/webhooks/dead_letters.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "engine/event.h"
#include "engine/sha256.h"
#include "engine/utf8.h"

namespace keel::webhooks {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFormat = "keel-dead-letter-1";

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
  if (path.stem().string() != letter.id) return bad("its id does not match its file name");
  return letter;
}

}  // namespace

std::string DeadLetterId(std::string_view endpoint, std::string_view delivery, std::string_view body) {
  Hash digest = Sha256(delivery.empty() ? body : delivery);
  return std::string(endpoint) + "-" + HashToHex(digest).substr(0, 16);
}

Result<std::unique_ptr<DeadLetterStore>> DeadLetterStore::Open(const fs::path& dir, DeadLetterLimits limits) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<LetterFolder> folder, LetterFolder::Open(dir, limits));
  return std::unique_ptr<DeadLetterStore>(new DeadLetterStore(std::move(folder)));
}

Status DeadLetterStore::Put(DeadLetter& letter) {
  if (!IsFileSafeName(letter.endpoint)) {
    return Status::InvalidArgument("a dead letter's endpoint must be 1 to 64 letters, digits, '.', '_' or '-', "
                                   "not starting with '.': '" + letter.endpoint + "'");
  }
  letter.id = DeadLetterId(letter.endpoint, letter.delivery, letter.body);
  return folder_->Put(letter.id, Encode(letter),
                      "list them with `keel deliveries list`, fix the mapping and redrive them");
}

Result<std::vector<DeadLetter>> DeadLetterStore::List() const {
  std::vector<DeadLetter> letters;
  for (const std::string& id : folder_->Ids()) {
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
  KEEL_ASSIGN_OR_RETURN(std::string text, folder_->Read(id));
  return Decode(folder_->FileOf(id), text);
}

Status DeadLetterStore::Remove(std::string_view id) { return folder_->Remove(id); }

}  // namespace keel::webhooks
