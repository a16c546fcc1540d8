#include "cli/hidden_arguments.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace arkiv::cli {
namespace {

std::string Masked(std::string text) {
  MaskUrlSecrets(text.data());
  return text;
}

TEST(HiddenArgumentsTest, SasAndSigValuesAreMasked) {
  EXPECT_EQ(Masked("azure://a/b?sas=%3Fsv%3D1%26sig%3Dabc&tier=Hot"),
            "azure://a/b?sas=" + std::string(21, '*') + "&tier=Hot");
  EXPECT_EQ(Masked("azure://a/b?endpoint=http://h&sas=sv=1&sig=abc%2B"),
            "azure://a/b?endpoint=http://h&sas=****&sig=******");
  EXPECT_EQ(Masked("--cloud=az=azure://a/b?sig=x"), "--cloud=az=azure://a/b?sig=*");
}

TEST(HiddenArgumentsTest, EverythingElseIsLeftAsItIs) {
  for (std::string text :
       {"s3://bucket/sas=1", "azure://a/b?tier=Hot&sassy=1", "/srv/backup", "", "sig=alone", "azure://a/b?sas="}) {
    EXPECT_EQ(Masked(text), text);
  }
}

TEST(HiddenArgumentsTest, TheParserGetsTheOriginalsAndArgvIsMaskedInPlace) {
  std::string program = "arkiv", repo = "--repo=azure://a/b?sas=secret", command = "snapshots";
  std::vector<char*> argv{program.data(), repo.data(), command.data(), nullptr};
  std::vector<std::string> args = TakeArgumentsHidingSecrets(3, argv.data());
  EXPECT_EQ(args, (std::vector<std::string>{"--repo=azure://a/b?sas=secret", "snapshots"}));
  EXPECT_STREQ(argv[1], "--repo=azure://a/b?sas=******");
  EXPECT_STREQ(argv[0], "arkiv");
}

}  // namespace
}  // namespace arkiv::cli
