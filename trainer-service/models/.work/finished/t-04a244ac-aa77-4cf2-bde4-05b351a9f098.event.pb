
&t-04a244ac-aa77-4cf2-bde4-05b351a9f098¯“¹è¤4trainer-service-2z¤
¡
œ'void io.convnet.job.TrainingRequest.<init>(java.lang.String, java.lang.String, java.nio.file.Path, int, int, boolean, io.convnet.train.OptimizerSpec, long, int, int, int, java.nio.file.Path, java.nio.file.Path, boolean, io.convnet.transfer.TransferOptions, io.convnet.data.DataRoot)'