import type { Logger } from "../lib/logger";
import type { SnapshotRow, StoredProduct } from "../modules/uzum/repository";

/** A tracked product the scheduled refresh has just fetched and stored again. */
export interface ProductRefreshed {
  productId: number;
  /** The newest snapshot before the refresh; today's row when the product was already analysed today. */
  previous: SnapshotRow | null;
  /** The stored product with the snapshot the refresh wrote. */
  current: StoredProduct;
}

export type ProductRefreshedListener = (event: ProductRefreshed) => void | Promise<void>;

/**
 * The one place to hook into the scheduled refresh, such as alert rules. Listeners run in
 * turn for each product and are awaited, so a slow listener slows the refresh: queue slow
 * work (sending messages) instead of doing it inside the listener.
 */
export class RefreshEvents {
  private readonly listeners = new Set<ProductRefreshedListener>();

  constructor(private readonly logger: Logger) {}

  /** Subscribes to every refreshed product; returns a function that unsubscribes. */
  onProductRefreshed(listener: ProductRefreshedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls every listener; a listener that throws is logged and does not stop the others or the refresh. */
  async emit(event: ProductRefreshed): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (error) {
        this.logger.error({ err: error, productId: event.productId }, "refresh.listener_failed");
      }
    }
  }
}
