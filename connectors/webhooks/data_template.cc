#include "connectors/webhooks/data_template.h"

namespace keel::webhooks {

std::optional<std::string> ValueText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return value.dump();
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -9e15 && d < 9e15) {
      return std::to_string(static_cast<int64_t>(d));
    }
    return value.dump();
  }
  return std::nullopt;
}

std::string DescribeValue(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return std::string(value.type_name()) + " " + text;
}

Result<nlohmann::json> EvaluateData(const DataNode& node, const ExpressionScope& scope, const std::string& path,
                                    const std::string& where) {
  switch (node.type) {
    case DataNode::Type::kValue: {
      if (!node.value) return node.literal;
      Result<nlohmann::json> value = node.value->Evaluate(scope);
      if (!value.ok()) return Status::InvalidArgument(where + ", " + path + ": " + value.status().message());
      return value;
    }
    case DataNode::Type::kList: {
      nlohmann::json list = nlohmann::json::array();
      for (size_t i = 0; i < node.items.size(); ++i) {
        KEEL_ASSIGN_OR_RETURN(nlohmann::json item,
                              EvaluateData(node.items[i], scope, path + "[" + std::to_string(i) + "]", where));
        list.push_back(std::move(item));
      }
      return list;
    }
    case DataNode::Type::kMap: {
      nlohmann::json map = nlohmann::json::object();
      for (size_t i = 0; i < node.items.size(); ++i) {
        KEEL_ASSIGN_OR_RETURN(nlohmann::json value, EvaluateData(node.items[i], scope, path + "." + node.keys[i], where));
        if (node.optional[i] && value.is_null()) continue;
        map[node.keys[i]] = std::move(value);
      }
      return map;
    }
  }
  return Status::Internal("unknown data node");
}

}  // namespace keel::webhooks
