import { checkOptions } from '../options';
import { ThresholdReducer } from './threshold-reducer';

/**
 * Mean over the terms > 0, so tuples that already satisfy the margin do not dilute the
 * loss; 0 with zero gradient when none is (PML's AvgNonZeroReducer, a ThresholdReducer with
 * low 0). Default of ContrastiveLoss and TripletMarginLoss.
 */
export class AvgNonZeroReducer extends ThresholdReducer {
  readonly name: string = 'AvgNonZeroReducer';

  constructor(options?: Record<string, never>) {
    super((checkOptions('AvgNonZeroReducer', options, {}), { low: 0 }));
  }
}
