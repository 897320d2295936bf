import { describeAdapterExports } from '@parapool/conformance';
import * as adapter from '../dist/index.js';

describeAdapterExports('@parapool/poolifier', adapter);
