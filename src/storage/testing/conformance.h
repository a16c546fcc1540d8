// The conformance suite: the same tests for every Store implementation.
//
// A backend's test file provides a factory that makes a fresh, empty store
// and instantiates the suite:
//
//   ARKIV_STORE_CONFORMANCE(Local, [] { return std::make_shared<LocalStore>(MakeTempDir("local")); });
//
// The tests are TEST_Ps in conformance*.cc, linked as an object library so
// that the linker keeps their registrations. One of them writes a 101 MiB
// object: a factory must allow that much memory or disk.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "core/status_test_util.h"
#include "storage/store.h"

namespace arkiv::storage::testing {

using StoreFactory = std::function<std::shared_ptr<Store>()>;

class StoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam()();
    ASSERT_NE(store_, nullptr);
  }
  std::shared_ptr<Store> store_;
};

// Makes a fresh empty directory under $TEST_TMPDIR (or /tmp). It and all it
// holds are deleted when the test program exits normally.
std::string MakeTempDir(const std::string& tag);

// `n` bytes that differ with `salt` and are not periodic at any power of two,
// so a misplaced range or a mix of two versions does not compare equal.
Bytes Pattern(size_t n, uint8_t salt);

// The names List reports for `prefix`, each once; fails the test on an error
// or a name reported twice.
std::multiset<std::string> ListNames(Store& store, std::string_view prefix);

}  // namespace arkiv::storage::testing

// Use at global scope or in any namespace.
#define ARKIV_STORE_CONFORMANCE(name, factory)                                                  \
  namespace arkiv::storage::testing {                                                           \
  INSTANTIATE_TEST_SUITE_P(name, StoreConformanceTest, ::testing::Values(StoreFactory(factory)), \
                           [](const auto&) { return std::string(#name); });                     \
  }
