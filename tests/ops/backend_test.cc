// ops/backend.h: the registry makes the backends of this build and names the devices it lacks;
// what a backend allocates or packs outlives it; ops reject tensors of another device.
#include "ops/backend.h"

#include <gtest/gtest.h>

#include <string>

#include "ops/matmul.h"
#include "ops/norm.h"
#include "ops/op_test_util.h"
#include "util/error.h"

namespace infermark::ops {
namespace {

using testing::HostMatrix;
using testing::random_floats;

TEST(CreateBackend, MakesTheCpuBackendWithItsThreads) {
  const std::unique_ptr<Backend> b = create_backend({Device::kCpu, 3});
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->device(), Device::kCpu);
  EXPECT_EQ(b->threads(), 3);
  EXPECT_EQ(create_backend({})->device(), Device::kCpu);
}

TEST(CreateBackend, ADeviceWithoutABackendIsAnErrorNamingIt) {
  try {
    create_backend({Device::kCuda, 0});
    FAIL() << "no CUDA backend is built";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'cuda'"), std::string::npos) << what;
    EXPECT_NE(what.find("available: cpu"), std::string::npos) << what;
  }
}

TEST(Backend, PackedWeightsAndBuffersOutliveTheirBackend) {
  HostMatrix w(DType::kBF16, 20, 33, random_floats(20 * 33, -1, 1, 1));
  const auto x = random_floats(2 * 33, -1, 1, 2);
  PackedMatrix packed;
  Buffer y_memory;
  {
    const std::unique_ptr<Backend> loader = create_backend({Device::kCpu, 2});
    packed = pack(*loader, w.view());
    y_memory = loader->allocate(2 * 20 * sizeof(float));
  }
  EXPECT_EQ(packed.device(), Device::kCpu);
  EXPECT_EQ(packed.dtype(), DType::kBF16);
  EXPECT_GE(packed.bytes(), 20u * 33 * 2);
  const std::unique_ptr<Backend> runner = create_backend({Device::kCpu, 1});
  const TensorView y = y_memory.view(0, DType::kF32, {2, 20});
  matmul(*runner, TensorView::of(x.data(), DType::kF32, {2, 33}), packed, y);
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 20; ++j) {
      double ref = 0;
      for (int64_t k = 0; k < 33; ++k) ref += x[static_cast<size_t>(i * 33 + k)] * w.at(j, k);
      ASSERT_NEAR(y.as<float>()[i * 20 + j], ref, 1e-4);
    }
  }
}

TEST(BackendDeathTest, OpsRejectTensorsOfAnotherDevice) {
  CpuBackend backend(1);
  std::vector<float> x(8), w(4, 1.0f);
  const TensorView on_gpu = TensorView::of(x.data(), DType::kF32, {2, 4}, Device::kCuda);
  EXPECT_DEATH(rms_norm(backend, on_gpu, TensorView::of(w.data(), DType::kF32, {1, 4}), 1e-5f,
                        TensorView::of(x.data(), DType::kF32, {2, 4})),
               "");
}

}  // namespace
}  // namespace infermark::ops
