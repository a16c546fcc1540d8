#include "storage/http/xml_text.h"
#include "storage/backends/s3_xml.h"

#include <cstdlib>

namespace arkiv::storage {
namespace {


// The inner text of each <tag>...</tag> in `xml`, in order.
std::vector<std::string_view> Elements(std::string_view xml, std::string_view tag) {
  std::string open = "<" + std::string(tag) + ">";
  std::string close = "</" + std::string(tag) + ">";
  std::vector<std::string_view> out;
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t start = pos + open.size();
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(start, end - start));
    pos = end + close.size();
  }
  return out;
}

}  // namespace


std::optional<std::string> XmlElementText(std::string_view xml, std::string_view tag) {
  auto found = Elements(xml, tag);
  if (found.empty()) return std::nullopt;
  return XmlUnescape(found.front());
}

std::optional<S3ListPage> ParseListObjectsV2(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) return std::nullopt;
  S3ListPage page;
  for (std::string_view contents : Elements(xml, "Contents")) {
    S3ListedObject object;
    object.key = XmlElementText(contents, "Key").value_or("");
    object.size = std::strtoull(XmlElementText(contents, "Size").value_or("0").c_str(), nullptr, 10);
    page.objects.push_back(std::move(object));
  }
  // <Contents> holds no IsTruncated, so the first one is the result's.
  page.truncated = XmlElementText(xml, "IsTruncated").value_or("false") == "true";
  page.next_continuation_token = XmlElementText(xml, "NextContinuationToken").value_or("");
  return page;
}

std::optional<S3ErrorBody> ParseS3Error(std::string_view xml) {
  auto error = Elements(xml, "Error");
  if (error.empty()) return std::nullopt;
  return S3ErrorBody{XmlElementText(error.front(), "Code").value_or(""),
                     XmlElementText(error.front(), "Message").value_or("")};
}

}  // namespace arkiv::storage
