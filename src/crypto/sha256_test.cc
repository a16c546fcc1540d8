#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include "crypto/random.h"

namespace arkiv::crypto {
namespace {

TEST(Sha256Test, KnownAnswers) {
  // FIPS 180-2 appendix B.1, and the empty message.
  EXPECT_EQ(Sha256(AsBytes("abc")).Hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256(ByteView()).Hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, StreamMatchesOneShotWhateverThePieces) {
  Bytes data = RandomBytes(100000);
  Id expected = Sha256(data);
  for (size_t piece : {size_t{1}, size_t{63}, size_t{64}, size_t{4096}, data.size()}) {
    Sha256Stream stream;
    for (size_t i = 0; i < data.size(); i += piece) {
      stream.Update(ByteView(data).subspan(i, std::min(piece, data.size() - i)));
    }
    EXPECT_EQ(stream.Finish(), expected) << piece;
  }
  Sha256Stream abc;
  abc.Update(AsBytes("a"));
  abc.Update(AsBytes(""));
  abc.Update(AsBytes("bc"));
  EXPECT_EQ(abc.Finish(), Sha256(AsBytes("abc")));
}

TEST(RandomTest, ProducesRequestedLengthAndVaries) {
  EXPECT_TRUE(RandomBytes(0).empty());
  EXPECT_EQ(RandomBytes(33).size(), 33u);
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
  EXPECT_NE(RandomId(), RandomId());
  EXPECT_FALSE(RandomId().IsZero());
}

}  // namespace
}  // namespace arkiv::crypto
