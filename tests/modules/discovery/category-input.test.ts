import { describe, expect, test } from "bun:test";
import { AppError } from "../../../src/lib/errors";
import { parseCategoryInput, type CategoryInput } from "../../../src/modules/discovery/category-input";

describe("parseCategoryInput", () => {
  const accepted: Array<[string, CategoryInput]> = [
    ["10091", { categoryId: 10091, locale: "uz", pagePath: "/uz/category/--10091" }],
    ["  10091 \n", { categoryId: 10091, locale: "uz", pagePath: "/uz/category/--10091" }],
    ["https://uzum.uz/ru/category/makiyazh--10091", { categoryId: 10091, locale: "ru", pagePath: "/ru/category/makiyazh--10091" }],
    ["https://uzum.uz/uz/category/elektronika-10020", { categoryId: 10020, locale: "uz", pagePath: "/uz/category/elektronika-10020" }],
    ["https://www.uzum.uz/ru/category/makiyazh--10091?sort=orders#top", { categoryId: 10091, locale: "ru", pagePath: "/ru/category/makiyazh--10091" }],
    ["https://uzum.uz/ru/category/produkty-pitaniya-1821/", { categoryId: 1821, locale: "ru", pagePath: "/ru/category/produkty-pitaniya-1821" }],
    ["uzum.uz/ru/category/--10091", { categoryId: 10091, locale: "ru", pagePath: "/ru/category/--10091" }],
    ["HTTPS://UZUM.UZ/uz/category/10020", { categoryId: 10020, locale: "uz", pagePath: "/uz/category/10020" }],
  ];

  for (const [input, expected] of accepted) {
    test(`reads ${expected.categoryId} from ${JSON.stringify(input.trim())}`, () => {
      expect(parseCategoryInput(input)).toEqual(expected);
    });
  }

  const rejected: Array<[string, RegExp]> = [
    ["", /category link/],
    ["   ", /category link/],
    ["makiyazh", /uzum\.uz category link/],
    ["https://uzum.uz/ru/category/makiyazh", /no id/],
    ["https://uzum.uz/ru/category/makiyazh?id=10091", /no id/],
    ["https://uzum.uz/uz/product/televizor-uchun-kronshteyn-1772350", /product link/],
    ["https://uzum.uz/ru/product/gillette-mach3-britva-4700?skuId=5731", /product link/],
    ["https://uzum.uz/en/category/makiyazh--10091", /category page/],
    ["https://uzum.uz/ru/category/", /category page/],
    ["https://uzum.uz/ru/category/makiyazh--10091/extra", /category page/],
    ["https://uzum.uz.evil.example/ru/category/makiyazh--10091", /uzum\.uz category link/],
    ["ftp://uzum.uz/ru/category/makiyazh--10091", /uzum\.uz category link/],
    ["0", /out of range/],
    ["-5", /uzum\.uz category link/],
    ["10091.5", /uzum\.uz category link/],
    ["99999999999999999999", /out of range/],
    ["javascript:alert(1)", /uzum\.uz category link/],
  ];

  for (const [input, hint] of rejected) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      let caught: unknown;
      try {
        parseCategoryInput(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).status).toBe(400);
      expect((caught as AppError).code).toBe("INVALID_CATEGORY");
      expect(String((caught as AppError).details?.hint)).toMatch(hint);
    });
  }
});
