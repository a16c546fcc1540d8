// serve's `/`: the status page (status_page.html, compiled in), with the
// current /api/status and /api/history put into it, so that it shows the
// facts on load — without a request of its own, and to a browser that only
// dumps the page once loaded.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace arkiv::serve {

// The page as written, with its placeholder for the data.
std::string_view StatusPageTemplate();

// The page with `initial` ({"status": ..., "history": ...}) in place of the
// placeholder; `<`, `>` and `&` in it are written as \u escapes, so that no
// string in the data can end the script.
std::string StatusPageHtml(const nlohmann::json& initial);

// JSON text for a response: invalid UTF-8 (a file name in an error) is
// replaced, never an exception.
std::string JsonText(const nlohmann::json& j);

}  // namespace arkiv::serve
