// The conformance suite: the same tests for every Store implementation.
//
// A backend's test file provides a factory that makes a fresh, empty store
// and instantiates the suite:
//
//   ARKIV_STORE_CONFORMANCE(Local, [] { return std::make_shared<LocalStore>(TempDir()); });
//
// The tests are TEST_Ps in conformance.cc, linked as an object library so
// that the linker keeps their registrations.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

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

// Makes a fresh empty directory under the test temp dir.
std::string MakeTempDir(const std::string& tag);

}  // namespace arkiv::storage::testing

// Use at global scope or in any namespace.
#define ARKIV_STORE_CONFORMANCE(name, factory)                                \
  namespace arkiv::storage::testing {                                         \
  INSTANTIATE_TEST_SUITE_P(name, StoreConformanceTest,                        \
                           ::testing::Values(StoreFactory(factory)));         \
  }
