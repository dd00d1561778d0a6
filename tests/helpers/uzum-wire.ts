/**
 * Builds Uzum REST product answers (`GET /api/v2/product/{id}`) in the recorded shape,
 * trimmed to the fields the service reads, for tests that need many or odd products.
 */

export interface WireSkuInput {
  id: number;
  price: number;
  fullPrice?: number;
  stock: number;
  type?: "FBO" | "FBS";
  option?: number;
}

export interface WireProductInput {
  id: number;
  title?: string;
  orders?: number;
  roundedOrders?: number;
  stock?: number;
  rating?: number;
  reviews?: number;
  skus?: WireSkuInput[];
  shopId?: number;
  shopTitle?: string;
  photos?: string[];
}

export function wireProduct(input: WireProductInput) {
  const skus = input.skus ?? [{ id: input.id * 10, price: 100_000, stock: input.stock ?? 5, type: "FBO" as const }];
  const photos = input.photos ?? [`photo${input.id}a`, `photo${input.id}b`];
  const title = input.title ?? `Mahsulot ${input.id}`;

  return {
    payload: {
      data: {
        id: input.id,
        title,
        localizableTitle: { uz: title, ru: `Товар ${input.id}` },
        category: {
          id: 300,
          title: "Leaf",
          parent: { id: 200, title: "Middle", parent: { id: 100, title: "Root", parent: null } },
        },
        rating: input.rating ?? 4.5,
        reviewsAmount: input.reviews ?? 10,
        ordersAmount: input.orders ?? 100,
        rOrdersAmount: input.roundedOrders ?? Math.floor((input.orders ?? 100) / 10) * 10,
        totalAvailableAmount: input.stock ?? skus.reduce((sum, sku) => sum + sku.stock, 0),
        photos: photos.map((key) => ({
          photo: {
            "800": { high: `https://images.uzum.uz/${key}/original.jpg`, low: `https://images.uzum.uz/${key}/t_product_low.jpg` },
            "240": { high: `https://images.uzum.uz/${key}/t_product_240_high.jpg`, low: `https://images.uzum.uz/${key}/t_product_240_low.jpg` },
          },
          photoKey: key,
        })),
        characteristics: [
          { id: 1, title: "Rang", values: skus.map((sku, index) => ({ id: index, title: `Rang ${index + 1}`, value: `#${index}` })) },
        ],
        skuList: skus.map((sku, index) => ({
          id: sku.id,
          characteristics: skus.length > 1 ? [{ charIndex: 0, valueIndex: sku.option ?? index }] : [],
          availableAmount: sku.stock,
          fullPrice: sku.fullPrice ?? sku.price,
          purchasePrice: sku.price,
          stock: { type: sku.type ?? "FBO", deliveryDays: 1 },
        })),
        seller: {
          id: input.shopId ?? 5000,
          title: input.shopTitle ?? "Test do'kon",
          link: "test-shop",
          rating: 4.8,
          reviews: 36,
          orders: 1330,
          official: false,
        },
      },
    },
    timestamp: "2026-12-04T10:00:00",
  };
}
