#include "storage/http/xml_text.h"
#include "storage/backends/azure_xml.h"

#include <charconv>

namespace arkiv::storage {
namespace {

// The raw content of the first element `tag` at or after `from` and before
// `end`, or nullopt. Sets `*after` past its closing tag.
std::optional<std::string_view> Element(std::string_view xml, std::string_view tag, size_t from, size_t end,
                                        size_t* after = nullptr) {
  std::string open = "<" + std::string(tag);
  size_t pos = from;
  while (true) {
    pos = xml.find(open, pos);
    if (pos == std::string_view::npos || pos >= end) return std::nullopt;
    size_t next = pos + open.size();
    if (next < xml.size() && (xml[next] == '>' || xml[next] == ' ' || xml[next] == '/')) break;
    pos = next;
  }
  size_t close_angle = xml.find('>', pos);
  if (close_angle == std::string_view::npos || close_angle >= end) return std::nullopt;
  if (xml[close_angle - 1] == '/') {  // <Tag/>
    if (after) *after = close_angle + 1;
    return std::string_view();
  }
  std::string close = "</" + std::string(tag) + ">";
  size_t close_pos = xml.find(close, close_angle + 1);
  if (close_pos == std::string_view::npos || close_pos > end) return std::nullopt;
  if (after) *after = close_pos + close.size();
  return xml.substr(close_angle + 1, close_pos - close_angle - 1);
}


}  // namespace


Result<AzureBlobPage> ParseListBlobs(std::string_view xml) {
  if (xml.find("<EnumerationResults") == std::string_view::npos) {
    return Fail(Code::kDataLoss, "List Blobs answered with something other than EnumerationResults");
  }
  AzureBlobPage page;
  size_t blobs_end = xml.find("</Blobs>");
  if (blobs_end == std::string_view::npos) blobs_end = xml.size();
  size_t pos = 0;
  while (true) {
    size_t after = 0;
    auto blob = Element(xml, "Blob", pos, blobs_end, &after);
    if (!blob) break;
    auto name = Element(*blob, "Name", 0, blob->size());
    auto length = Element(*blob, "Content-Length", 0, blob->size());
    if (!name || !length) return Fail(Code::kDataLoss, "List Blobs entry without Name or Content-Length");
    AzureBlobEntry entry{XmlUnescape(*name), 0};
    auto [ptr, ec] = std::from_chars(length->data(), length->data() + length->size(), entry.size);
    if (ec != std::errc() || ptr != length->data() + length->size()) {
      return Fail(Code::kDataLoss, "List Blobs entry with a bad Content-Length");
    }
    page.blobs.push_back(std::move(entry));
    pos = after;
  }
  if (auto marker = Element(xml, "NextMarker", blobs_end, xml.size())) page.next_marker = XmlUnescape(*marker);
  return page;
}

AzureErrorBody ParseErrorBody(std::string_view xml) {
  AzureErrorBody body;
  if (auto code = Element(xml, "Code", 0, xml.size())) body.code = XmlUnescape(*code);
  if (auto message = Element(xml, "Message", 0, xml.size())) {
    body.message = XmlUnescape(*message);
    body.message = body.message.substr(0, body.message.find('\n'));
  }
  return body;
}

}  // namespace arkiv::storage
