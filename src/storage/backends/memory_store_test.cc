#include "storage/backends/memory_store.h"

#include "storage/testing/conformance.h"

ARKIV_STORE_CONFORMANCE(Memory, [] { return std::make_shared<arkiv::storage::MemoryStore>(); });
