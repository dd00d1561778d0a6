import type { DiscoveryErrorCode } from "../db/schema";
import type { Logger } from "../lib/logger";
import type { SnapshotRow, StoredProduct } from "../modules/uzum/repository";

/** A product an analysis has just fetched and stored: from a request, the bot, a scan or the scheduled refresh. */
export interface ProductRefreshed {
  productId: number;
  /** The newest snapshot before the analysis; today's row when the product was already analysed today. */
  previous: SnapshotRow | null;
  /** The stored product with the snapshot the analysis wrote. */
  current: StoredProduct;
}

export type ProductRefreshedListener = (event: ProductRefreshed) => void | Promise<void>;

/** A category discovery run that has just finished or failed; a cancelled run sends none. */
export interface DiscoveryRunEnded {
  runId: string;
  accountId: string;
  categoryId: number;
  categoryName: string | null;
  status: "FINISHED" | "FAILED";
  /** The reason the run failed; null when it finished. */
  error: string | null;
  /** The stable code of that reason, for a message in the seller's language; null when it finished. */
  errorCode: DiscoveryErrorCode | null;
}

export type DiscoveryRunEndedListener = (event: DiscoveryRunEnded) => void | Promise<void>;

/**
 * The one place to hook into every stored analysis, such as alert rules, and into the end of
 * discovery runs, such as bot notices. Listeners run in turn for each event and are awaited, so a
 * slow listener slows its emitter: queue slow work (sending messages) instead of doing it inside
 * the listener.
 */
export class RefreshEvents {
  private readonly listeners = new Set<ProductRefreshedListener>();
  private readonly discoveryListeners = new Set<DiscoveryRunEndedListener>();

  constructor(private readonly logger: Logger) {}

  /** Subscribes to every stored analysis; returns a function that unsubscribes. */
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

  /** Subscribes to every discovery run that finishes or fails; returns a function that unsubscribes. */
  onDiscoveryRunEnded(listener: DiscoveryRunEndedListener): () => void {
    this.discoveryListeners.add(listener);
    return () => this.discoveryListeners.delete(listener);
  }

  /** Calls every discovery listener; a listener that throws is logged and does not stop the others. */
  async emitDiscoveryRunEnded(event: DiscoveryRunEnded): Promise<void> {
    for (const listener of this.discoveryListeners) {
      try {
        await listener(event);
      } catch (error) {
        this.logger.error({ err: error, runId: event.runId }, "discovery.listener_failed");
      }
    }
  }
}
