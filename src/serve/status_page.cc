#include "serve/status_page.h"

#include "serve/status_page_html.h"

namespace arkiv::serve {
namespace {

constexpr std::string_view kPlaceholder = "/*ARKIV_INITIAL_DATA*/null";

}  // namespace

std::string_view StatusPageTemplate() {
  return kStatusPageHtml;
}

std::string JsonText(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string StatusPageHtml(const nlohmann::json& initial) {
  std::string data;
  for (char c : JsonText(initial)) {
    switch (c) {
      case '<': data += "\\u003c"; break;
      case '>': data += "\\u003e"; break;
      case '&': data += "\\u0026"; break;
      default: data += c;
    }
  }
  std::string page(kStatusPageHtml);
  size_t at = page.find(kPlaceholder);
  if (at != std::string::npos) page.replace(at, kPlaceholder.size(), data);
  return page;
}

}  // namespace arkiv::serve
