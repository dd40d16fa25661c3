#include "rules/cel/functions.h"

namespace keel::cel {
namespace {

std::string Key(std::string_view name, bool member, int arity) {
  std::string key(name);
  key += member ? "/m/" : "/g/";
  key += std::to_string(arity);
  return key;
}

bool Accepts(Kind param, Kind arg) { return param == Kind::kDyn || arg == Kind::kDyn || param == arg; }

}  // namespace

FnImpl Function::Dispatch(const Value* const* args) const {
  if (arity == 1) return table[static_cast<size_t>(args[0]->kind())];
  if (arity == 2) {
    return table[static_cast<size_t>(args[0]->kind()) * kKindCount + static_cast<size_t>(args[1]->kind())];
  }
  for (const Overload& o : overloads) {
    bool match = true;
    for (int i = 0; i < arity && match; ++i) {
      match = o.params[i] == Kind::kDyn || o.params[i] == args[i]->kind();
    }
    if (match) return o.impl;
  }
  return nullptr;
}

std::vector<const Overload*> Function::Candidates(const std::vector<Kind>& kinds) const {
  std::vector<const Overload*> out;
  for (const Overload& o : overloads) {
    bool match = true;
    for (int i = 0; i < arity && match; ++i) match = Accepts(o.params[i], kinds[i]);
    if (match) out.push_back(&o);
  }
  return out;
}

const FunctionRegistry& FunctionRegistry::Get() {
  static const FunctionRegistry* registry = [] {
    auto* r = new FunctionRegistry();
    RegisterOperatorFunctions(*r);
    RegisterConversionFunctions(*r);
    RegisterStringFunctions(*r);
    RegisterTimeFunctions(*r);
    RegisterWorkFunctions(*r);
    RegisterEntityFunctions(*r);
    RegisterMappingFunctions(*r);
    RegisterStringExtensionFunctions(*r);
    RegisterFormatFunctions(*r);
    RegisterMathFunctions(*r);
    RegisterEncoderFunctions(*r);
    RegisterListFunctions(*r);
    RegisterOptionalFunctions(*r);
    r->BuildTables();
    return r;
  }();
  return *registry;
}

const Function* FunctionRegistry::Find(std::string_view name, bool member, int arity) const {
  auto it = functions_.find(Key(name, member, arity));
  return it == functions_.end() ? nullptr : it->second.get();
}

bool FunctionRegistry::HasName(std::string_view name, bool member) const {
  for (int arity = 0; arity <= 4; ++arity) {
    if (Find(name, member, arity) != nullptr) return true;
  }
  return false;
}

void FunctionRegistry::Add(std::string_view name, bool member, std::vector<Kind> params, Kind result,
                           FnImpl impl) {
  int arity = static_cast<int>(params.size());
  auto& slot = functions_[Key(name, member, arity)];
  if (!slot) {
    slot = std::make_unique<Function>();
    slot->name = std::string(name);
    slot->member = member;
    slot->arity = arity;
  }
  slot->overloads.push_back(Overload{std::move(params), result, impl});
}

void FunctionRegistry::BuildTables() {
  for (auto& [key, fn] : functions_) {
    if (fn->arity == 1) {
      fn->table.assign(kKindCount, nullptr);
      for (int a = 0; a < kKindCount; ++a) {
        for (const Overload& o : fn->overloads) {
          if (o.params[0] == Kind::kDyn || static_cast<int>(o.params[0]) == a) {
            fn->table[a] = o.impl;
            break;
          }
        }
      }
    } else if (fn->arity == 2) {
      fn->table.assign(kKindCount * kKindCount, nullptr);
      for (int a = 0; a < kKindCount; ++a) {
        for (int b = 0; b < kKindCount; ++b) {
          for (const Overload& o : fn->overloads) {
            if ((o.params[0] == Kind::kDyn || static_cast<int>(o.params[0]) == a) &&
                (o.params[1] == Kind::kDyn || static_cast<int>(o.params[1]) == b)) {
              fn->table[a * kKindCount + b] = o.impl;
              break;
            }
          }
        }
      }
    }
  }
}

std::string DisplayName(std::string_view name) {
  if (name == "@in") return "in";
  if (name.size() > 2 && name.front() == '_' && name.back() == '_') return std::string(name.substr(1, name.size() - 2));
  if (name.size() == 2 && name.back() == '_') return std::string(name.substr(0, 1));
  return std::string(name);
}

Value NoMatchingOverload(std::string_view function, const Value* const* args, int arity) {
  std::string message = "no matching overload for '" + DisplayName(function) + "' applied to (";
  for (int i = 0; i < arity; ++i) {
    if (i > 0) message += ", ";
    message += KindName(args[i]->kind());
  }
  message += ")";
  return Value::Error(ErrorCode::kNoMatchingOverload, std::move(message));
}

}  // namespace keel::cel
