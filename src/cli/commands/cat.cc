// arkiv cat: print a repository object decrypted, for debugging.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/snapshot_json.h"
#include "repo/index_file.h"
#include "repo/sealed_file.h"

namespace arkiv::cli {

void AddCatCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string what;
    std::string id;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("cat", "Print a repository object as JSON (for debugging)");
  cmd->add_option("what", opts->what, "config | clouds | snapshot | index | key | blob | tree")
      ->required()
      ->check(CLI::IsMember({"config", "clouds", "snapshot", "index", "key", "blob", "tree"}));
  cmd->add_option("id", opts->id, "Object id (snapshot: also a prefix or 'latest')");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      const std::string& what = opts->what;
      if (what == "config") {
        std::cout << AsString(repo->config().Serialize());
        return kExitOk;
      }
      if (what == "clouds") {  // every stored cloud set, one JSON document a line
        ASSIGN_OR_RETURN(auto ids, repo->ListFiles(repo::FileKind::kClouds));
        for (const Id& id : ids) {
          ASSIGN_OR_RETURN(Bytes plain, repo->LoadFile(repo::FileKind::kClouds, id));
          std::cout << AsString(plain) << "\n";
        }
        return kExitOk;
      }
      if (opts->id.empty()) return Fail(Code::kInvalidArgument, fmt::format("cat {} needs an id", what));
      if (what == "snapshot") {
        ASSIGN_OR_RETURN(auto record, repo->FindSnapshot(opts->id));
        std::cout << SnapshotJson(record).dump(2) << std::endl;
        return kExitOk;
      }
      auto id = Id::Parse(opts->id);
      if (!id) return Fail(Code::kInvalidArgument, fmt::format("{:?} is not a 64-digit id", opts->id));
      if (what == "key") {
        ASSIGN_OR_RETURN(Bytes bytes, repo->store().Get(repo::FileName(repo::FileKind::kKey, *id)));
        std::cout << AsString(bytes);
        return kExitOk;
      }
      if (what == "index") {
        ASSIGN_OR_RETURN(Bytes plain, repo->LoadFile(repo::FileKind::kIndex, *id));
        ASSIGN_OR_RETURN(repo::IndexFile file, repo::IndexFile::Parse(plain));
        nlohmann::json j{{"supersedes", nlohmann::json::array()}, {"packs", nlohmann::json::array()}};
        for (const Id& s : file.supersedes) j["supersedes"].push_back(s.Hex());
        for (const auto& p : file.packs) {
          nlohmann::json blobs = nlohmann::json::array();
          for (const auto& b : p.blobs) {
            blobs.push_back({{"id", b.id.Hex()},
                             {"type", repo::BlobTypeName(b.type)},
                             {"offset", b.offset},
                             {"length", b.length},
                             {"raw_length", b.raw_length},
                             {"compression", b.compression == codec::Compression::kZstd ? "zstd" : "none"}});
          }
          j["packs"].push_back({{"id", p.id.Hex()}, {"size", p.size}, {"blobs", std::move(blobs)}});
        }
        std::cout << j.dump(2) << std::endl;
        return kExitOk;
      }
      RETURN_IF_ERROR(repo->LoadIndex());
      ASSIGN_OR_RETURN(Bytes blob, repo->LoadBlob(*id));
      if (what == "tree") {
        auto j = nlohmann::json::parse(AsString(blob), nullptr, false);
        std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
      } else {
        std::cout.write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(blob.size()));
      }
      return kExitOk;
    });
  });
}

}  // namespace arkiv::cli
