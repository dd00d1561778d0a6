import { describe, expect, test } from "bun:test";
import { AppError } from "../../../src/lib/errors";
import { parseProductInput } from "../../../src/modules/uzum/product-url";

describe("parseProductInput", () => {
  const accepted: Array<[string, number]> = [
    ["1772350", 1772350],
    ["  1772350 ", 1772350],
    ["https://uzum.uz/uz/product/televizor-uchun-kronshteyn-1772350", 1772350],
    ["https://uzum.uz/ru/product/gillette-mach3-britva-4700", 4700],
    ["https://www.uzum.uz/ru/product/gillette-mach3-britva-4700?skuId=5731", 4700],
    ["https://uzum.uz/uz/product/new-balance-erkaklar-krossovkalari-1552187?skuId=5109825#reviews", 1552187],
    ["https://uzum.uz/product/1552187", 1552187],
    ["http://uzum.uz/product/1552187/", 1552187],
    ["uzum.uz/uz/product/krossovka-1552187", 1552187],
    ["HTTPS://UZUM.UZ/uz/product/krossovka-1552187", 1552187],
  ];

  for (const [input, expected] of accepted) {
    test(`reads ${expected} from ${input.trim()}`, () => {
      expect(parseProductInput(input)).toBe(expected);
    });
  }

  const rejected = [
    "",
    "   ",
    "gillette",
    "https://uzum.uz/ru/product/gillette-mach3?skuId=5731",
    "https://uzum.uz/uz/category/elektronika-10020",
    "https://uzum.uz/uz/product/",
    "https://uzum.uz/en/product/krossovka-1552187",
    "https://evil.example/uz/product/krossovka-1552187",
    "https://uzum.uz.evil.example/product/1552187",
    "https://market.yandex.uz/product/1552187",
    "ftp://uzum.uz/product/1552187",
    "0",
    "-5",
    "12.5",
    "99999999999999999999",
    "https://uzum.uz/uz/product/krossovka-1552187/extra",
    "javascript:alert(1)",
  ];

  for (const input of rejected) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      let caught: unknown;
      try {
        parseProductInput(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).status).toBe(400);
      expect((caught as AppError).code).toBe("INVALID_PRODUCT_URL");
    });
  }
});
